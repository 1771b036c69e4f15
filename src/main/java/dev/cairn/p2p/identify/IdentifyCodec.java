package dev.cairn.p2p.identify;

import com.google.protobuf.ByteString;
import dev.cairn.p2p.Protobuf;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.identify.pb.IdentifyProtos;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Identify messages ⇄ protobuf bytes. Pure; bounds every list. */
final class IdentifyCodec {
  private static final Logger LOG = LogManager.getLogger();

  /** Largest identify message we read (go and js send at most 8 KiB; leave headroom). */
  static final int MAX_MESSAGE = 64 * 1024;

  static final int MAX_ADDRS = 64;
  static final int MAX_PROTOCOLS = 256;
  static final int MAX_STRING = 1024;

  private IdentifyCodec() {}

  static byte[] encode(IdentifyMessage m) {
    IdentifyProtos.Identify.Builder b = IdentifyProtos.Identify.newBuilder();
    if (m.protocolVersion() != null) {
      b.setProtocolVersion(m.protocolVersion());
    }
    if (m.agentVersion() != null) {
      b.setAgentVersion(m.agentVersion());
    }
    if (m.publicKey() != null) {
      b.setPublicKey(ByteString.copyFrom(m.publicKey().encode()));
    }
    if (m.listenAddrs() != null) {
      m.listenAddrs().forEach(a -> b.addListenAddrs(ByteString.copyFrom(a.encode())));
    }
    if (m.observedAddr() != null) {
      b.setObservedAddr(ByteString.copyFrom(m.observedAddr().encode()));
    }
    if (m.protocols() != null) {
      b.addAllProtocols(m.protocols());
    }
    if (m.signedPeerRecord() != null) {
      b.setSignedPeerRecord(ByteString.copyFrom(m.signedPeerRecord()));
    }
    return b.build().toByteArray();
  }

  /**
   * Decodes one message. Addresses we cannot parse (transports we do not know) are skipped, not
   * fatal: a peer may listen on more than we speak.
   */
  static IdentifyMessage decode(byte[] bytes) throws ProtocolException {
    IdentifyProtos.Identify p =
        Protobuf.parse(
            bytes,
            MAX_MESSAGE,
            Scope.STREAM,
            "identify message",
            IdentifyProtos.Identify::parseFrom);
    if (p.getListenAddrsCount() > MAX_ADDRS || p.getProtocolsCount() > MAX_PROTOCOLS) {
      throw ProtocolException.stream(Reason.LIMIT_EXCEEDED, "identify lists too long");
    }
    PublicKey key = p.hasPublicKey() ? PublicKey.decode(p.getPublicKey().toByteArray()) : null;
    List<Multiaddr> addrs = null;
    if (p.getListenAddrsCount() > 0) {
      addrs = new ArrayList<>();
      for (ByteString raw : p.getListenAddrsList()) {
        try {
          addrs.add(Multiaddr.decode(raw.toByteArray()));
        } catch (ProtocolException e) {
          LOG.trace("skipping listen address we cannot parse: {}", e.getMessage());
        }
      }
    }
    Multiaddr observed = null;
    if (p.hasObservedAddr()) {
      try {
        observed = Multiaddr.decode(p.getObservedAddr().toByteArray());
      } catch (ProtocolException e) {
        LOG.trace("skipping observed address we cannot parse: {}", e.getMessage());
      }
    }
    List<String> protocols = null;
    if (p.getProtocolsCount() > 0) {
      protocols = new ArrayList<>();
      for (String s : p.getProtocolsList()) {
        if (s.length() > MAX_STRING) {
          throw ProtocolException.stream(Reason.TOO_LARGE, "protocol id too long");
        }
        protocols.add(s);
      }
    }
    return new IdentifyMessage(
        p.hasProtocolVersion() ? clip(p.getProtocolVersion()) : null,
        p.hasAgentVersion() ? clip(p.getAgentVersion()) : null,
        key,
        addrs,
        observed,
        protocols,
        p.hasSignedPeerRecord() ? p.getSignedPeerRecord().toByteArray() : null);
  }

  private static String clip(String s) {
    return s.length() > MAX_STRING ? s.substring(0, MAX_STRING) : s;
  }
}
