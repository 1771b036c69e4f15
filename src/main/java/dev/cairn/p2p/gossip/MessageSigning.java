package dev.cairn.p2p.gossip;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.multiformats.PeerId;
import java.nio.ByteBuffer;
import java.util.Optional;

/** Authoring and checking messages under a {@link SignaturePolicy}. Pure and thread-safe. */
final class MessageSigning {
  private MessageSigning() {}

  /** The result of the policy checks: a verdict and, when it is ACCEPT, the author (if signed). */
  record Checked(ValidationResult result, Optional<PeerId> author, long seqno) {
    static Checked reject(String why) {
      return new Checked(ValidationResult.reject(why), Optional.empty(), 0);
    }
  }

  /** Builds our own message; under StrictSign stamps from/seqno and signs. */
  static Rpc.Message author(
      SignaturePolicy policy, PrivateKey key, PeerId self, String topic, byte[] data, long seqno) {
    return switch (policy) {
      case STRICT_NO_SIGN -> new Rpc.Message(null, data, null, topic, null, null);
      case STRICT_SIGN -> {
        byte[] from = self.bytes();
        byte[] seq = ByteBuffer.allocate(8).putLong(seqno).array();
        Rpc.Message unsigned = new Rpc.Message(from, data, seq, topic, null, null);
        byte[] sig = key.sign(GossipCodec.signable(unsigned));
        // The key rides along only when the peer id does not inline it (RSA, ECDSA), as go does.
        byte[] k = self.publicKey().isPresent() ? null : key.publicKey().encode();
        yield new Rpc.Message(from, data, seq, topic, sig, k);
      }
    };
  }

  /** Checks a received message against the policy; verifies the signature under StrictSign. */
  static Checked check(SignaturePolicy policy, Rpc.Message m) {
    return switch (policy) {
      case STRICT_NO_SIGN -> {
        if (m.from() != null || m.seqno() != null || m.signature() != null || m.key() != null) {
          yield Checked.reject("StrictNoSign message carries from/seqno/signature/key");
        }
        yield new Checked(ValidationResult.ACCEPT, Optional.empty(), 0);
      }
      case STRICT_SIGN -> {
        if (m.from() == null || m.seqno() == null || m.signature() == null) {
          yield Checked.reject("StrictSign message without from/seqno/signature");
        }
        if (m.seqno().length != 8) {
          yield Checked.reject("seqno of " + m.seqno().length + " bytes");
        }
        PeerId author;
        PublicKey key;
        try {
          author = PeerId.decode(m.from());
          if (m.key() != null) {
            key = PublicKey.decode(m.key());
            if (!author.matches(key)) {
              yield Checked.reject("key does not match from");
            }
          } else {
            Optional<PublicKey> inlined = author.publicKey();
            if (inlined.isEmpty()) {
              yield Checked.reject("no key for a hashed peer id");
            }
            key = inlined.get();
          }
        } catch (ProtocolException e) {
          yield Checked.reject("bad from or key: " + e.getMessage());
        }
        if (!key.verify(GossipCodec.signable(m), m.signature())) {
          yield Checked.reject("bad signature");
        }
        yield new Checked(
            ValidationResult.ACCEPT, Optional.of(author), ByteBuffer.wrap(m.seqno()).getLong());
      }
    };
  }
}
