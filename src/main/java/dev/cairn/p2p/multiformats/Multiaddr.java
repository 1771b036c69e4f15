package dev.cairn.p2p.multiformats;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.WireCode;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A multiaddr: a list of (protocol, value) components with a text form ({@code
 * /ip4/127.0.0.1/tcp/4001/p2p/12D3...}) and a binary form ({@code varint(code) value ...}).
 * Immutable. Unknown protocol codes are an error: their value sizes cannot be known.
 */
public final class Multiaddr {
  /** Longest binary multiaddr we decode. */
  public static final int MAX_BYTES = 1024;

  /** Longest text component value (dns names are at most 253). */
  private static final int MAX_VALUE = 512;

  /** The protocols we can parse and print; the codes are multicodec's. */
  public enum Protocol implements WireCode {
    IP4(4, "ip4", 4),
    TCP(6, "tcp", 2),
    UDP(273, "udp", 2),
    IP6(41, "ip6", 16),
    IP6ZONE(42, "ip6zone", -1),
    DNS(53, "dns", -1),
    DNS4(54, "dns4", -1),
    DNS6(55, "dns6", -1),
    DNSADDR(56, "dnsaddr", -1),
    P2P(421, "p2p", -1),
    P2P_CIRCUIT(290, "p2p-circuit", 0),
    TLS(448, "tls", 0),
    NOISE(454, "noise", 0),
    QUIC(460, "quic", 0),
    QUIC_V1(461, "quic-v1", 0),
    WEBTRANSPORT(465, "webtransport", 0),
    WS(477, "ws", 0),
    WSS(478, "wss", 0);

    private final int code;
    private final String text;
    private final int size; // bytes; 0 = no value; -1 = varint length-prefixed

    Protocol(int code, String text, int size) {
      this.code = code;
      this.text = text;
      this.size = size;
    }

    @Override
    public int code() {
      return code;
    }

    public String text() {
      return text;
    }

    static Protocol ofCode(long code) {
      return WireCode.lookup(values(), code);
    }

    static Protocol ofText(String text) {
      if (text.equals("ipfs")) {
        return P2P;
      }
      for (Protocol p : values()) {
        if (p.text.equals(text)) {
          return p;
        }
      }
      return null;
    }
  }

  /** One component: a protocol and its binary value (empty for value-less protocols). */
  public record Component(Protocol protocol, byte[] value) {
    public Component {
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    /** The value in text form, as it appears after the protocol name. */
    public String text() {
      return valueToText(protocol, value);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Component c && c.protocol == protocol && Arrays.equals(c.value, value);
    }

    @Override
    public int hashCode() {
      return protocol.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "/" + protocol.text + (protocol.size == 0 ? "" : "/" + text());
    }
  }

  private final List<Component> components;

  private Multiaddr(List<Component> components) {
    this.components = List.copyOf(components);
  }

  public static Multiaddr of(List<Component> components) {
    return new Multiaddr(components);
  }

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException with a reason when the text is not a multiaddr we know
   */
  public static Multiaddr parse(String text) {
    if (!text.startsWith("/")) {
      throw new IllegalArgumentException("multiaddr must start with '/': " + text);
    }
    String[] parts = text.substring(1).split("/", -1);
    List<Component> out = new ArrayList<>();
    int i = 0;
    while (i < parts.length) {
      String name = parts[i++];
      if (name.isEmpty() && i == parts.length && !out.isEmpty()) {
        break; // tolerate one trailing slash
      }
      Protocol p = Protocol.ofText(name);
      if (p == null) {
        throw new IllegalArgumentException("unknown multiaddr protocol '" + name + "' in " + text);
      }
      if (p.size == 0) {
        out.add(new Component(p, new byte[0]));
        continue;
      }
      if (i == parts.length || parts[i].isEmpty()) {
        throw new IllegalArgumentException("multiaddr protocol '" + name + "' needs a value");
      }
      out.add(new Component(p, textToValue(p, parts[i++])));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("empty multiaddr");
    }
    return new Multiaddr(out);
  }

  /** Decodes the binary form received from a peer. */
  public static Multiaddr decode(byte[] bytes) throws ProtocolException {
    if (bytes.length > MAX_BYTES) {
      throw ProtocolException.stream(Reason.TOO_LARGE, "multiaddr of " + bytes.length + " bytes");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    List<Component> out = new ArrayList<>();
    while (buf.hasRemaining()) {
      long code = Varint.read(buf, Scope.STREAM);
      Protocol p = Protocol.ofCode(code);
      if (p == null) {
        throw ProtocolException.stream(Reason.UNKNOWN_TYPE, "unknown multiaddr code " + code);
      }
      int size = p.size >= 0 ? p.size : Varint.readLength(buf, MAX_VALUE, Scope.STREAM);
      if (buf.remaining() < size) {
        throw ProtocolException.stream(Reason.TRUNCATED, "multiaddr value of " + p.text + " cut");
      }
      byte[] value = new byte[size];
      buf.get(value);
      try {
        valueToText(p, value); // validates (e.g. that p2p holds a peer id)
      } catch (IllegalArgumentException e) {
        throw new ProtocolException(Reason.MALFORMED, Scope.STREAM, e.getMessage(), e);
      }
      out.add(new Component(p, value));
    }
    if (out.isEmpty()) {
      throw ProtocolException.stream(Reason.MALFORMED, "empty multiaddr");
    }
    return new Multiaddr(out);
  }

  /** The address of a TCP socket: {@code /ip4/a.b.c.d/tcp/port} or {@code /ip6/.../tcp/port}. */
  public static Multiaddr ofTcp(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    Protocol p = ip instanceof Inet4Address ? Protocol.IP4 : Protocol.IP6;
    byte[] port = {(byte) (address.getPort() >>> 8), (byte) address.getPort()};
    return new Multiaddr(
        List.of(new Component(p, ip.getAddress()), new Component(Protocol.TCP, port)));
  }

  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Component c : components) {
      out.writeBytes(Varint.encode(c.protocol.code));
      if (c.protocol.size < 0) {
        out.writeBytes(Varint.encode(c.value.length));
      }
      out.writeBytes(c.value);
    }
    return out.toByteArray();
  }

  public List<Component> components() {
    return components;
  }

  /** The value of the first component of protocol {@code p}, in text form. */
  public Optional<String> value(Protocol p) {
    return components.stream().filter(c -> c.protocol == p).findFirst().map(Component::text);
  }

  public boolean has(Protocol p) {
    return components.stream().anyMatch(c -> c.protocol == p);
  }

  /** The peer id of a trailing {@code /p2p/<id>} component. */
  public Optional<PeerId> peerId() {
    if (components.isEmpty() || components.getLast().protocol != Protocol.P2P) {
      return Optional.empty();
    }
    return Optional.of(PeerId.parse(components.getLast().text()));
  }

  /** This address without a trailing {@code /p2p/<id>}. */
  public Multiaddr withoutPeerId() {
    if (components.size() > 1 && components.getLast().protocol == Protocol.P2P) {
      return new Multiaddr(components.subList(0, components.size() - 1));
    }
    return this;
  }

  /** This address ending in {@code /p2p/<id>} (replacing any id it had). */
  public Multiaddr withPeerId(PeerId id) {
    List<Component> out = new ArrayList<>(withoutPeerId().components);
    out.add(new Component(Protocol.P2P, id.bytes()));
    return new Multiaddr(out);
  }

  /**
   * The host and port of a TCP address ({@code /ip4|ip6|dns|dns4|dns6/.../tcp/port}), unresolved
   * for dns names.
   *
   * @throws IllegalArgumentException if this is not a TCP address
   */
  public InetSocketAddress toTcpSocketAddress() {
    if (components.size() < 2 || components.get(1).protocol != Protocol.TCP) {
      throw new IllegalArgumentException("not a TCP multiaddr: " + this);
    }
    int port = Integer.parseInt(components.get(1).text());
    Component host = components.get(0);
    return switch (host.protocol) {
      case IP4, IP6 -> {
        try {
          yield new InetSocketAddress(InetAddress.getByAddress(host.value), port);
        } catch (UnknownHostException e) {
          throw new IllegalStateException("fixed-length address rejected", e);
        }
      }
      case DNS, DNS4, DNS6 -> InetSocketAddress.createUnresolved(host.text(), port);
      default -> throw new IllegalArgumentException("not a TCP multiaddr: " + this);
    };
  }

  /** True for TCP addresses this node can dial or listen on. */
  public boolean isTcp() {
    return components.size() >= 2
        && components.get(1).protocol == Protocol.TCP
        && switch (components.get(0).protocol) {
          case IP4, IP6, DNS, DNS4, DNS6 -> true;
          default -> false;
        }
        && (components.size() == 2
            || (components.size() == 3 && components.get(2).protocol == Protocol.P2P));
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (Component c : components) {
      out.append(c);
    }
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Multiaddr m && m.components.equals(components);
  }

  @Override
  public int hashCode() {
    return components.hashCode();
  }

  private static byte[] textToValue(Protocol p, String text) {
    return switch (p) {
      case IP4 -> {
        if (!text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
          throw new IllegalArgumentException("bad ip4 address '" + text + "'");
        }
        String[] octets = text.split("\\.");
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
          int v = Integer.parseInt(octets[i]);
          if (v > 255) {
            throw new IllegalArgumentException("bad ip4 address '" + text + "'");
          }
          out[i] = (byte) v;
        }
        yield out;
      }
      case IP6 -> {
        if (!text.contains(":") || !text.matches("[0-9a-fA-F:.]+")) {
          throw new IllegalArgumentException("bad ip6 address '" + text + "'");
        }
        try {
          InetAddress a = InetAddress.getByName(text); // literal only: no lookup for these chars
          byte[] raw = a.getAddress();
          if (raw.length == 4) { // ::ffff:a.b.c.d comes back as IPv4; keep 16 bytes
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(raw, 0, mapped, 12, 4);
            raw = mapped;
          }
          yield raw;
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("bad ip6 address '" + text + "'", e);
        }
      }
      case TCP, UDP -> {
        int port;
        try {
          port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad port '" + text + "'", e);
        }
        if (port < 0 || port > 65535 || !text.matches("\\d+")) {
          throw new IllegalArgumentException("bad port '" + text + "'");
        }
        yield new byte[] {(byte) (port >>> 8), (byte) port};
      }
      case P2P -> PeerId.parse(text).bytes();
      case DNS, DNS4, DNS6, DNSADDR, IP6ZONE -> {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length > 255) {
          throw new IllegalArgumentException("name too long: " + text);
        }
        yield b;
      }
      default -> throw new IllegalArgumentException(p.text + " takes no value");
    };
  }

  private static String valueToText(Protocol p, byte[] value) {
    return switch (p) {
      case IP4 ->
          (value[0] & 0xff)
              + "."
              + (value[1] & 0xff)
              + "."
              + (value[2] & 0xff)
              + "."
              + (value[3] & 0xff);
      case IP6 -> {
        try {
          yield ip6Text((Inet6Address) Inet6Address.getByAddress(null, value, null));
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("bad ip6 bytes", e);
        }
      }
      case TCP, UDP -> Integer.toString(((value[0] & 0xff) << 8) | (value[1] & 0xff));
      case P2P -> {
        try {
          yield PeerId.decode(value).toBase58();
        } catch (ProtocolException e) {
          throw new IllegalArgumentException(
              "p2p component is not a peer id: " + e.getMessage(), e);
        }
      }
      case DNS, DNS4, DNS6, DNSADDR, IP6ZONE -> {
        String s = new String(value, StandardCharsets.UTF_8);
        if (s.isEmpty() || s.contains("/")) {
          throw new IllegalArgumentException("bad name in " + p.text);
        }
        if (!Arrays.equals(s.getBytes(StandardCharsets.UTF_8), value)) {
          // Malformed UTF-8 would print as U+FFFD and no longer name the same bytes.
          throw new IllegalArgumentException("name in " + p.text + " is not UTF-8");
        }
        yield s;
      }
      default -> "";
    };
  }

  /** RFC 5952 text: lowercase, longest run of zero groups (length ≥ 2) as "::". */
  private static String ip6Text(Inet6Address a) {
    byte[] b = a.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLen && j - i >= 2) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLen - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
