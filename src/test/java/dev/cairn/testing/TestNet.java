package dev.cairn.testing;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.transport.Transport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one in-memory network fixture: full-stack hosts ({@link Libp2p}: multistream, Noise, yamux,
 * identify, ping) over one {@link MemoryTransport} (or real TCP on 127.0.0.1, {@link #tcp()}), with
 * identities drawn from a seed so runs repeat. Whatever a test hands to {@link #own} (routers,
 * DHTs, nodes) closes first, newest first; then the hosts. As a field with
 * {@code @RegisterExtension} it closes after each test.
 */
public final class TestNet implements AutoCloseable, AfterEachCallback {
  private static final Multiaddr ANY = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

  private final Transport transport;
  private final List<Libp2p> hosts = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> owned = new CopyOnWriteArrayList<>();

  private TestNet(Transport transport) {
    this.transport = transport;
  }

  /** Hosts over a {@link MemoryTransport} with its default pipe capacity. */
  public static TestNet memory() {
    return new TestNet(new MemoryTransport());
  }

  /** Hosts over a {@link MemoryTransport} whose pipes hold {@code pipeBytes}. */
  public static TestNet memory(int pipeBytes) {
    return new TestNet(new MemoryTransport(pipeBytes));
  }

  /** Hosts on real TCP sockets bound to 127.0.0.1 port 0. */
  public static TestNet tcp() {
    return new TestNet(null);
  }

  /** The Ed25519 identity drawn from {@code seed}. */
  public static PrivateKey key(long seed) {
    byte[] key = new byte[32];
    new Random(seed).nextBytes(key);
    return Ed25519PrivateKey.fromSeed(key);
  }

  /** The host configuration for {@code key} on this network's transport. */
  public HostConfig config(PrivateKey key) {
    HostConfig c = HostConfig.defaults(key, List.of(ANY));
    return transport == null ? c : c.withTransport(transport);
  }

  /** The host configuration for {@code key} on {@code transport} (a test's own network). */
  public static HostConfig config(PrivateKey key, Transport transport) {
    return HostConfig.defaults(key, List.of(ANY)).withTransport(transport);
  }

  /** A host with the identity of {@code seed}. */
  public Libp2p host(long seed) throws IOException {
    return host(key(seed), UnaryOperator.identity());
  }

  /** A host with a fresh random identity. */
  public Libp2p host() throws IOException {
    return host(Ed25519PrivateKey.generate(), UnaryOperator.identity());
  }

  /** A host with a fresh random identity and {@code tweak} applied to its configuration. */
  public Libp2p host(UnaryOperator<HostConfig> tweak) throws IOException {
    return host(Ed25519PrivateKey.generate(), tweak);
  }

  /** A host with the identity of {@code seed} and {@code tweak} applied to its configuration. */
  public Libp2p host(long seed, UnaryOperator<HostConfig> tweak) throws IOException {
    return host(key(seed), tweak);
  }

  private Libp2p host(PrivateKey key, UnaryOperator<HostConfig> tweak) throws IOException {
    Libp2p p = Libp2p.create(tweak.apply(config(key)));
    hosts.add(p);
    return p;
  }

  /** Closes {@code c} when the network closes, before the hosts; returns it. */
  public <T extends AutoCloseable> T own(T c) {
    owned.add(c);
    return c;
  }

  /** The transport (null for TCP). */
  public Transport transport() {
    return transport;
  }

  public List<Libp2p> hosts() {
    return hosts;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }

  @Override
  public void close() {
    List<AutoCloseable> reverse = new ArrayList<>(owned);
    java.util.Collections.reverse(reverse);
    RuntimeException failure = null;
    for (AutoCloseable c : reverse) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing " + c + " failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    hosts.forEach(Libp2p::close);
    if (failure != null) {
      throw failure;
    }
  }
}
