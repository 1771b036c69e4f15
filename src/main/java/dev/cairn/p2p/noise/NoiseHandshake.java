package dev.cairn.p2p.noise;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.noise.NoiseCodec.HandshakePayload;
import dev.cairn.p2p.transport.Duplex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The libp2p Noise handshake ({@value #PROTOCOL_ID}): {@code Noise_XX_25519_ChaChaPoly_SHA256} with
 * a signed libp2p identity in the payloads of messages 2 and 3. Blocking: the calling thread runs
 * the three messages over the insecure {@link Duplex} and gets back a {@link NoiseSession}.
 *
 * <p>Each handshake uses a fresh X25519 static key; it is bound to the identity key by {@code
 * identity_sig} over {@code "noise-libp2p-static-key:" ‖ static public key}.
 *
 * <p>Muxers: a non-empty {@code muxers} list is sent as the {@code stream_muxers} extension
 * (inlined muxer negotiation). When the remote sent a list too, the first entry of the initiator's
 * list that the responder also lists is chosen and reported by {@link NoiseSession#earlyMuxer()};
 * no overlap fails the handshake with {@link Reason#UNSUPPORTED_PROTOCOL} on both sides. An empty
 * list sends no extension and the caller always negotiates the muxer with multistream-select.
 *
 * <p>Failures: every violation is a {@link ProtocolException} of {@link Scope#CONNECTION} scope
 * ({@link Reason#BAD_SIGNATURE}, {@link Reason#PEER_ID_MISMATCH}, {@link Reason#MALFORMED}, {@link
 * Reason#TRUNCATED}, {@link Reason#TIMEOUT}, ...), and on any failure the insecure duplex is closed
 * before the method returns.
 */
public final class NoiseHandshake {
  /** The multistream-select protocol id. */
  public static final String PROTOCOL_ID = "/noise";

  /** Prefix of the data the identity key signs, followed by the Noise static public key. */
  static final byte[] SIGNATURE_PREFIX =
      "noise-libp2p-static-key:".getBytes(StandardCharsets.US_ASCII);

  private static final Logger LOG = LogManager.getLogger();

  private static final int RUNNING = 0;
  private static final int DONE = 1;
  private static final int TIMED_OUT = 2;

  private NoiseHandshake() {}

  /**
   * Runs the handshake as initiator (the dialler).
   *
   * @param insecure the connection after multistream-select agreed on {@value #PROTOCOL_ID}
   * @param identity our identity key, which signs our Noise static key
   * @param expectedRemote the peer we dialled ({@code /p2p/<id>}), or null to accept any peer
   * @param muxers our stream muxers in preference order, for inlined negotiation; may be empty
   * @param timeout the whole handshake's deadline; on expiry the duplex is closed and the call
   *     fails with {@link Reason#TIMEOUT}
   */
  public static NoiseSession initiate(
      Duplex insecure,
      PrivateKey identity,
      PeerId expectedRemote,
      List<String> muxers,
      Duration timeout)
      throws IOException, ProtocolException {
    return run(
        insecure,
        identity,
        expectedRemote,
        muxers,
        timeout,
        true,
        DhKeyPair.generate(),
        DhKeyPair.generate());
  }

  /** Runs the handshake as responder (the listener). See {@link #initiate} for the parameters. */
  public static NoiseSession respond(
      Duplex insecure, PrivateKey identity, List<String> muxers, Duration timeout)
      throws IOException, ProtocolException {
    return run(
        insecure,
        identity,
        null,
        muxers,
        timeout,
        false,
        DhKeyPair.generate(),
        DhKeyPair.generate());
  }

  /** The handshake with given static and ephemeral keys, for deterministic tests. */
  static NoiseSession run(
      Duplex insecure,
      PrivateKey identity,
      PeerId expectedRemote,
      List<String> muxers,
      Duration timeout,
      boolean initiator,
      DhKeyPair staticKey,
      DhKeyPair ephemeralKey)
      throws IOException, ProtocolException {
    Objects.requireNonNull(insecure, "insecure");
    Objects.requireNonNull(identity, "identity");
    List<String> ourMuxers = List.copyOf(muxers);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("handshake timeout must be positive: " + timeout);
    }
    AtomicInteger state = new AtomicInteger(RUNNING);
    CountDownLatch finished = new CountDownLatch(1);
    Thread.ofVirtual()
        .name("noise-timeout")
        .start(() -> closeOnTimeout(insecure, timeout, state, finished));
    try {
      NoiseSession session =
          exchange(
              insecure, identity, expectedRemote, ourMuxers, initiator, staticKey, ephemeralKey);
      if (!state.compareAndSet(RUNNING, DONE)) {
        throw timedOut(timeout, null);
      }
      LOG.debug(
          "noise handshake as {} with {} done, early muxer {}",
          initiator ? "initiator" : "responder",
          session.remotePeer().shortString(),
          session.earlyMuxer().orElse("none"));
      return session;
    } catch (ProtocolException | IOException | RuntimeException e) {
      boolean expired = !state.compareAndSet(RUNNING, DONE);
      closeQuietly(insecure, e);
      if (expired) {
        throw timedOut(timeout, e);
      }
      if (e instanceof ProtocolException pe) {
        LOG.debug("noise handshake failed: {}", pe.getMessage());
      }
      throw e;
    } finally {
      finished.countDown();
    }
  }

  private static void closeOnTimeout(
      Duplex insecure, Duration timeout, AtomicInteger state, CountDownLatch finished) {
    try {
      if (finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (state.compareAndSet(RUNNING, TIMED_OUT)) {
      try {
        insecure.close(); // wakes the handshake thread's blocked read or write
      } catch (IOException e) {
        LOG.trace("closing a timed-out noise handshake: {}", e.toString());
      }
    }
  }

  private static ProtocolException timedOut(Duration timeout, Exception cause) {
    String message = "noise: handshake did not finish within " + timeout;
    return cause == null
        ? ProtocolException.connection(Reason.TIMEOUT, message)
        : new ProtocolException(Reason.TIMEOUT, Scope.CONNECTION, message, cause);
  }

  private static void closeQuietly(Duplex insecure, Exception failure) {
    try {
      insecure.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  private static NoiseSession exchange(
      Duplex insecure,
      PrivateKey identity,
      PeerId expectedRemote,
      List<String> ourMuxers,
      boolean initiator,
      DhKeyPair staticKey,
      DhKeyPair ephemeralKey)
      throws IOException, ProtocolException {
    XxHandshakeState hs = new XxHandshakeState(initiator, new byte[0], staticKey, ephemeralKey);
    byte[] ourPayload =
        NoiseCodec.encodePayload(
            new HandshakePayload(
                identity.publicKey().encode(),
                identity.sign(signedData(staticKey.publicKey())),
                ourMuxers));
    PublicKey remoteKey;
    List<String> remoteMuxers;
    if (initiator) {
      // -> e (libp2p sends no payload in message 1: it would be neither encrypted nor
      // authenticated)
      NoiseCodec.writeFrame(insecure.out(), hs.writeMessage(new byte[0]));
      insecure.out().flush();
      // <- e, ee, s, es + the responder's payload
      HandshakePayload theirs =
          NoiseCodec.decodePayload(hs.readMessage(NoiseCodec.readHandshakeFrame(insecure.in(), 2)));
      remoteKey = authenticate(theirs, hs.remoteStatic(), expectedRemote);
      remoteMuxers = theirs.streamMuxers();
      // -> s, se + our payload. Sent even when the muxer lists do not overlap, so the responder
      // learns the reason too instead of seeing the stream end.
      NoiseCodec.writeFrame(insecure.out(), hs.writeMessage(ourPayload));
      insecure.out().flush();
    } else {
      // -> e. Any payload is ignored: it is unauthenticated and libp2p forbids using it.
      hs.readMessage(NoiseCodec.readHandshakeFrame(insecure.in(), 1));
      // <- e, ee, s, es + our payload
      NoiseCodec.writeFrame(insecure.out(), hs.writeMessage(ourPayload));
      insecure.out().flush();
      // -> s, se + the initiator's payload
      HandshakePayload theirs =
          NoiseCodec.decodePayload(hs.readMessage(NoiseCodec.readHandshakeFrame(insecure.in(), 3)));
      remoteKey = authenticate(theirs, hs.remoteStatic(), null);
      remoteMuxers = theirs.streamMuxers();
    }
    Optional<String> muxer =
        initiator ? selectMuxer(ourMuxers, remoteMuxers) : selectMuxer(remoteMuxers, ourMuxers);
    CipherState[] ciphers = hs.split();
    return new NoiseSession(insecure, ciphers[0], ciphers[1], remoteKey, muxer, hs.handshakeHash());
  }

  /** The bytes an identity key signs to vouch for a Noise static key. */
  static byte[] signedData(byte[] staticPublicKey) {
    byte[] data = new byte[SIGNATURE_PREFIX.length + staticPublicKey.length];
    System.arraycopy(SIGNATURE_PREFIX, 0, data, 0, SIGNATURE_PREFIX.length);
    System.arraycopy(staticPublicKey, 0, data, SIGNATURE_PREFIX.length, staticPublicKey.length);
    return data;
  }

  /**
   * Checks the remote payload: the identity key decodes, its signature covers the static key the
   * remote used in this handshake, and (when dialling a known peer) it is the expected peer.
   */
  static PublicKey authenticate(
      HandshakePayload payload, byte[] remoteStatic, PeerId expectedRemote)
      throws ProtocolException {
    PublicKey key;
    try {
      key = PublicKey.decode(payload.identityKey());
    } catch (ProtocolException e) {
      throw new ProtocolException(
          e.reason(), Scope.CONNECTION, "noise: remote identity key: " + e.getMessage(), e);
    }
    if (!key.verify(signedData(remoteStatic), payload.identitySig())) {
      throw ProtocolException.connection(
          Reason.BAD_SIGNATURE, "noise: identity_sig does not sign the remote static key");
    }
    if (expectedRemote != null && !expectedRemote.matches(key)) {
      throw ProtocolException.connection(
          Reason.PEER_ID_MISMATCH,
          "noise: dialled " + expectedRemote + " but the remote is " + PeerId.fromPublicKey(key));
    }
    return key;
  }

  /**
   * Inlined muxer negotiation: empty unless both sides sent a list; otherwise the first of the
   * initiator's muxers that the responder supports.
   */
  static Optional<String> selectMuxer(List<String> initiatorList, List<String> responderList)
      throws ProtocolException {
    if (initiatorList.isEmpty() || responderList.isEmpty()) {
      return Optional.empty();
    }
    for (String muxer : initiatorList) {
      if (responderList.contains(muxer)) {
        return Optional.of(muxer);
      }
    }
    throw ProtocolException.connection(
        Reason.UNSUPPORTED_PROTOCOL,
        "noise: no common stream muxer between " + initiatorList + " and " + responderList);
  }
}
