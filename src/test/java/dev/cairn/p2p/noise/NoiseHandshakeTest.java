package dev.cairn.p2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.noise.NoiseCodec.HandshakePayload;
import dev.cairn.p2p.transport.Duplex;
import dev.cairn.testing.Fragments;
import dev.cairn.testing.MemoryDuplex;
import dev.cairn.testing.ScriptedDuplex;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NoiseHandshakeTest {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final List<String> YAMUX = List.of("/yamux/1.0.0");
  static final List<String> NONE = List.of();

  static final PrivateKey ALICE = Ed25519PrivateKey.fromSeed(seed(1));
  static final PrivateKey BOB = Ed25519PrivateKey.fromSeed(seed(2));
  static final PrivateKey MALLORY = Ed25519PrivateKey.fromSeed(seed(3));

  // Fixed X25519 keys make whole handshakes reproducible (Ed25519 signatures are deterministic).
  static final DhKeyPair I_STATIC = DhKeyPair.fromPrivate(seed(11));
  static final DhKeyPair I_EPHEMERAL = DhKeyPair.fromPrivate(seed(12));
  static final DhKeyPair R_STATIC = DhKeyPair.fromPrivate(seed(13));
  static final DhKeyPair R_EPHEMERAL = DhKeyPair.fromPrivate(seed(14));

  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  static byte[] seed(int b) {
    byte[] s = new byte[32];
    Arrays.fill(s, (byte) b);
    return s;
  }

  /** Both ends of a handshake over a MemoryDuplex pair: [initiator, responder]. */
  record Result(Future<NoiseSession> initiator, Future<NoiseSession> responder) {}

  Result handshake(
      PrivateKey initKey,
      PrivateKey respKey,
      PeerId expected,
      List<String> initMuxers,
      List<String> respMuxers) {
    MemoryDuplex[] pair = MemoryDuplex.pair();
    Future<NoiseSession> r =
        executor.submit(() -> NoiseHandshake.respond(pair[1], respKey, respMuxers, TIMEOUT));
    Future<NoiseSession> i =
        executor.submit(
            () -> NoiseHandshake.initiate(pair[0], initKey, expected, initMuxers, TIMEOUT));
    return new Result(i, r);
  }

  static ProtocolException protocolFailure(Future<?> future) throws InterruptedException {
    try {
      future.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ProtocolException.class);
      return (ProtocolException) e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("handshake did not end", e);
    }
    throw new AssertionError("handshake succeeded but should have failed");
  }

  static void assertReason(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
              assertThat(e.scope()).isEqualTo(Scope.CONNECTION);
            });
  }

  // ---- happy paths -------------------------------------------------------------------------

  @Test
  void bothSidesLearnEachOthersPeerId() throws Exception {
    Result result = handshake(ALICE, BOB, PeerId.fromPublicKey(BOB.publicKey()), NONE, NONE);
    NoiseSession i = result.initiator().get();
    NoiseSession r = result.responder().get();
    assertThat(i.remotePeer()).isEqualTo(PeerId.fromPublicKey(BOB.publicKey()));
    assertThat(i.remoteKey()).isEqualTo(BOB.publicKey());
    assertThat(r.remotePeer()).isEqualTo(PeerId.fromPublicKey(ALICE.publicKey()));
    assertThat(r.remoteKey()).isEqualTo(ALICE.publicKey());
    assertThat(i.handshakeHash()).isEqualTo(r.handshakeHash());
    assertThat(i.earlyMuxer()).isEmpty();
    assertThat(r.earlyMuxer()).isEmpty();
  }

  @Test
  void rolesSwappedWithoutExpectedPeerExchangeData() throws Exception {
    Result result = handshake(BOB, ALICE, null, NONE, NONE);
    NoiseSession i = result.initiator().get();
    NoiseSession r = result.responder().get();
    assertThat(i.remotePeer()).isEqualTo(PeerId.fromPublicKey(ALICE.publicKey()));
    assertThat(r.remotePeer()).isEqualTo(PeerId.fromPublicKey(BOB.publicKey()));
    i.out().write("ping".getBytes());
    i.out().flush();
    assertThat(r.in().readNBytes(4)).isEqualTo("ping".getBytes());
    r.out().write("pong".getBytes());
    r.out().flush();
    assertThat(i.in().readNBytes(4)).isEqualTo("pong".getBytes());
  }

  @Test
  void messageSizesMatchTheSpecWithEd25519AndNoExtensions() throws Exception {
    Recorded rec = recordDeterministicHandshake(NONE, NONE);
    // msg1 = 32, msg2 = 32 + 48 + 104 + 16 = 200, msg3 = 48 + 104 + 16 = 168; each + 2-byte length.
    assertThat(rec.initiatorWrote()).hasSize(2 + 32 + 2 + 168);
    assertThat(rec.responderWrote()).hasSize(2 + 200);
    assertThat(HexFormat.of().formatHex(rec.initiatorWrote(), 0, 2)).isEqualTo("0020");
    assertThat(HexFormat.of().formatHex(rec.responderWrote(), 0, 2)).isEqualTo("00c8");
  }

  // ---- early muxer negotiation -------------------------------------------------------------

  @Test
  void bothListsAgreeOnTheInitiatorsFirstCommonMuxer() throws Exception {
    Result result =
        handshake(
            ALICE,
            BOB,
            null,
            List.of("/mplex/6.7.0", "/yamux/1.0.0"),
            List.of("/yamux/1.0.0", "/mplex/6.7.0"));
    assertThat(result.initiator().get().earlyMuxer()).contains("/mplex/6.7.0");
    assertThat(result.responder().get().earlyMuxer()).contains("/mplex/6.7.0");
  }

  @Test
  void yamuxOnBothSidesIsAgreed() throws Exception {
    Result result = handshake(ALICE, BOB, null, YAMUX, YAMUX);
    assertThat(result.initiator().get().earlyMuxer()).contains("/yamux/1.0.0");
    assertThat(result.responder().get().earlyMuxer()).contains("/yamux/1.0.0");
  }

  @Test
  void aListFromOneSideOnlyMeansNoEarlyMuxer() throws Exception {
    Result a = handshake(ALICE, BOB, null, YAMUX, NONE);
    assertThat(a.initiator().get().earlyMuxer()).isEmpty();
    assertThat(a.responder().get().earlyMuxer()).isEmpty();
    Result b = handshake(ALICE, BOB, null, NONE, YAMUX);
    assertThat(b.initiator().get().earlyMuxer()).isEmpty();
    assertThat(b.responder().get().earlyMuxer()).isEmpty();
  }

  @Test
  void listsWithoutOverlapFailBothSides() throws Exception {
    Result result = handshake(ALICE, BOB, null, YAMUX, List.of("/mplex/6.7.0"));
    assertThat(protocolFailure(result.initiator()).reason()).isEqualTo(Reason.UNSUPPORTED_PROTOCOL);
    assertThat(protocolFailure(result.responder()).reason()).isEqualTo(Reason.UNSUPPORTED_PROTOCOL);
  }

  // ---- fragmentation -----------------------------------------------------------------------

  record Recorded(byte[] initiatorWrote, byte[] responderWrote) {}

  /** One handshake with fixed keys, recording each side's output. */
  Recorded recordDeterministicHandshake(List<String> initMuxers, List<String> respMuxers)
      throws Exception {
    MemoryDuplex[] pair = MemoryDuplex.pair();
    RecordingDuplex i = new RecordingDuplex(pair[0]);
    RecordingDuplex r = new RecordingDuplex(pair[1]);
    Future<NoiseSession> resp =
        executor.submit(
            () ->
                NoiseHandshake.run(
                    r, BOB, null, respMuxers, TIMEOUT, false, R_STATIC, R_EPHEMERAL));
    NoiseHandshake.run(i, ALICE, null, initMuxers, TIMEOUT, true, I_STATIC, I_EPHEMERAL);
    resp.get();
    return new Recorded(i.recorded.toByteArray(), r.recorded.toByteArray());
  }

  /**
   * The initiator over every fragmentation of message 2, and the responder over every fragmentation
   * of messages 1 and 3, each end with the same authenticated peer (and the initiator with the
   * early muxer).
   */
  @ParameterizedTest(name = "initiator: {0}")
  @ValueSource(booleans = {true, false})
  void everyFragmentationOfWhatTheOtherSideWroteGivesTheSameResult(boolean initiator)
      throws Exception {
    Recorded rec = recordDeterministicHandshake(YAMUX, YAMUX);
    byte[] peerWrote = initiator ? rec.responderWrote() : rec.initiatorWrote();
    byte[] ownWrote = initiator ? rec.initiatorWrote() : rec.responderWrote();
    PrivateKey peer = initiator ? BOB : ALICE;
    for (NoiseSession s : overEveryFragmentation(peerWrote, ownWrote, initiator)) {
      assertThat(s.remotePeer()).isEqualTo(PeerId.fromPublicKey(peer.publicKey()));
      if (initiator) {
        assertThat(s.earlyMuxer()).contains("/yamux/1.0.0");
      }
    }
  }

  /**
   * Runs the deterministic initiator (ALICE) or responder (BOB) on every fragmentation of what its
   * peer wrote; each run must write exactly {@code wrote}. The sessions, for the caller's checks.
   */
  List<NoiseSession> overEveryFragmentation(byte[] peerWrote, byte[] wrote, boolean initiator)
      throws Exception {
    List<NoiseSession> sessions = new ArrayList<>();
    for (List<byte[]> pieces : Fragments.splits(peerWrote)) {
      ScriptedDuplex d = new ScriptedDuplex(Fragments.stream(pieces));
      sessions.add(runDeterministic(d, initiator));
      assertThat(d.written()).isEqualTo(wrote);
    }
    return sessions;
  }

  /** The deterministic initiator (ALICE) or responder (BOB) with yamux, over {@code d}. */
  static NoiseSession runDeterministic(Duplex d, boolean initiator)
      throws IOException, ProtocolException {
    return initiator
        ? NoiseHandshake.run(d, ALICE, null, YAMUX, TIMEOUT, true, I_STATIC, I_EPHEMERAL)
        : NoiseHandshake.run(d, BOB, null, YAMUX, TIMEOUT, false, R_STATIC, R_EPHEMERAL);
  }

  // ---- hostile input -----------------------------------------------------------------------

  ScriptedDuplex script(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      all.writeBytes(p);
    }
    return new ScriptedDuplex(new ByteArrayInputStream(all.toByteArray()));
  }

  static byte[] frame(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      NoiseCodec.writeFrame(out, body);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toByteArray();
  }

  @Test
  void multistreamTextInsteadOfMessage1IsTruncated() {
    ScriptedDuplex d = script("\u0013/multistream/1.0.0\n".getBytes());
    assertReason(() -> NoiseHandshake.respond(d, BOB, NONE, TIMEOUT), Reason.TRUNCATED);
    assertThat(d.closed()).isTrue();
  }

  @Test
  void shortMessage1IsMalformed() {
    ScriptedDuplex d = script(frame(new byte[31]));
    assertReason(() -> NoiseHandshake.respond(d, BOB, NONE, TIMEOUT), Reason.MALFORMED);
    assertThat(d.closed()).isTrue();
  }

  @Test
  void lowOrderEphemeralKeyIsRefused() {
    ScriptedDuplex d = script(frame(new byte[32]));
    assertReason(() -> NoiseHandshake.respond(d, BOB, NONE, TIMEOUT), Reason.MALFORMED);
  }

  @Test
  void randomGarbageAsMessage2FailsAuthentication() {
    byte[] garbage = new byte[200];
    new java.util.Random(1).nextBytes(garbage);
    ScriptedDuplex d = script(frame(garbage));
    assertReason(
        () -> NoiseHandshake.initiate(d, ALICE, null, NONE, TIMEOUT), Reason.BAD_SIGNATURE);
    assertThat(d.closed()).isTrue();
  }

  @Test
  void emptyStreamAndDeclaredLengthBeyondTheDataAreTruncated() throws Exception {
    assertReason(
        () -> NoiseHandshake.initiate(script(), ALICE, null, NONE, TIMEOUT), Reason.TRUNCATED);
    Recorded rec = recordDeterministicHandshake(NONE, NONE);
    byte[] cut = Arrays.copyOf(rec.responderWrote(), 100);
    assertReason(
        () -> NoiseHandshake.initiate(script(cut), ALICE, null, NONE, TIMEOUT), Reason.TRUNCATED);
    // The largest length a frame can declare, with nothing behind it.
    byte[] huge = {(byte) 0xff, (byte) 0xff, 1, 2, 3};
    assertReason(
        () -> NoiseHandshake.initiate(script(huge), ALICE, null, NONE, TIMEOUT), Reason.TRUNCATED);
  }

  @Test
  void everyTamperedByteOfMessage2FailsTheTag() throws Exception {
    Recorded rec = recordDeterministicHandshake(YAMUX, YAMUX);
    assertEveryTamperedByteFailsTheTag(rec.responderWrote(), 2, true);
  }

  @Test
  void everyTamperedByteOfMessage3FailsTheTag() throws Exception {
    Recorded rec = recordDeterministicHandshake(YAMUX, YAMUX);
    assertEveryTamperedByteFailsTheTag(rec.initiatorWrote(), 2 + 32 + 2, false);
  }

  /**
   * Flips each byte of {@code msgs} from {@code from} on, one at a time, and feeds the result to
   * the initiator (or the responder): each fails the tag as BAD_SIGNATURE and closes the pipe.
   */
  void assertEveryTamperedByteFailsTheTag(byte[] msgs, int from, boolean initiator) {
    for (int at = from; at < msgs.length; at++) {
      byte[] bad = msgs.clone();
      bad[at] ^= 0x01;
      ScriptedDuplex d = script(bad);
      assertReason(() -> runDeterministic(d, initiator), Reason.BAD_SIGNATURE);
      assertThat(d.closed()).isTrue();
    }
  }

  @Test
  void responderWithAnotherPeerIdThanDialledIsRejected() throws Exception {
    Result result = handshake(ALICE, BOB, PeerId.fromPublicKey(MALLORY.publicKey()), NONE, NONE);
    ProtocolException e = protocolFailure(result.initiator());
    assertThat(e.reason()).isEqualTo(Reason.PEER_ID_MISMATCH);
    assertThat(e.scope()).isEqualTo(Scope.CONNECTION);
    // The responder sees the connection end before message 3.
    assertThat(protocolFailure(result.responder()).reason()).isEqualTo(Reason.TRUNCATED);
  }

  /** A responder that writes message 2 with a payload of our choosing. */
  void evilResponder(Duplex d, HandshakePayload payload) throws Exception {
    XxHandshakeState hs = new XxHandshakeState(false, new byte[0], R_STATIC, R_EPHEMERAL);
    hs.readMessage(NoiseCodec.readHandshakeFrame(d.in(), 1));
    NoiseCodec.writeFrame(d.out(), hs.writeMessage(NoiseCodec.encodePayload(payload)));
    d.out().flush();
  }

  ProtocolException initiatorFacing(HandshakePayload payload) throws Exception {
    MemoryDuplex[] pair = MemoryDuplex.pair();
    Future<?> evil =
        executor.submit(
            () -> {
              evilResponder(pair[1], payload);
              return null;
            });
    Future<NoiseSession> i =
        executor.submit(() -> NoiseHandshake.initiate(pair[0], ALICE, null, NONE, TIMEOUT));
    evil.get();
    return protocolFailure(i);
  }

  /** The initiator's failure when the responder names BOB and {@code signer} signs {@code dh}. */
  ProtocolException initiatorFacingBobSignedBy(PrivateKey signer, DhKeyPair dh) throws Exception {
    return initiatorFacing(
        new HandshakePayload(
            BOB.publicKey().encode(),
            signer.sign(NoiseHandshake.signedData(dh.publicKey())),
            NONE));
  }

  @Test
  void signatureByAnotherKeyIsBadSignature() throws Exception {
    assertThat(initiatorFacingBobSignedBy(MALLORY, R_STATIC).reason())
        .isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void signatureOverAnotherStaticKeyIsBadSignature() throws Exception {
    assertThat(initiatorFacingBobSignedBy(BOB, I_STATIC).reason()).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void undecodableIdentityKeyIsAConnectionError() throws Exception {
    HandshakePayload payload =
        new HandshakePayload(new byte[] {8, 1, 0x12, 1, 0}, new byte[64], NONE);
    ProtocolException e = initiatorFacing(payload);
    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.scope()).isEqualTo(Scope.CONNECTION);
  }

  @Test
  void initiatorWithBadSignatureIsRejectedByTheResponder() throws Exception {
    MemoryDuplex[] pair = MemoryDuplex.pair();
    Future<NoiseSession> r =
        executor.submit(() -> NoiseHandshake.respond(pair[1], BOB, NONE, TIMEOUT));
    XxHandshakeState hs = new XxHandshakeState(true, new byte[0], I_STATIC, I_EPHEMERAL);
    NoiseCodec.writeFrame(pair[0].out(), hs.writeMessage(new byte[0]));
    pair[0].out().flush();
    hs.readMessage(NoiseCodec.readHandshakeFrame(pair[0].in(), 2));
    HandshakePayload forged =
        new HandshakePayload(
            ALICE.publicKey().encode(),
            ALICE.sign(NoiseHandshake.signedData(R_STATIC.publicKey())),
            NONE);
    NoiseCodec.writeFrame(pair[0].out(), hs.writeMessage(NoiseCodec.encodePayload(forged)));
    pair[0].out().flush();
    assertThat(protocolFailure(r).reason()).isEqualTo(Reason.BAD_SIGNATURE);
  }

  // ---- timeouts ----------------------------------------------------------------------------

  @Test
  void stalledResponderTimesOutTheInitiator() throws Exception {
    MemoryDuplex[] pair = MemoryDuplex.pair();
    long start = System.nanoTime();
    assertReason(
        () -> NoiseHandshake.initiate(pair[0], ALICE, null, NONE, Duration.ofMillis(200)),
        Reason.TIMEOUT);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    // The insecure connection was closed: the silent peer reads our message 1, then the end.
    assertThat(pair[1].in().readNBytes(34)).hasSize(34);
    assertThat(pair[1].in().read()).isEqualTo(-1);
  }

  @Test
  void stalledInitiatorTimesOutTheResponder() {
    MemoryDuplex[] pair = MemoryDuplex.pair();
    long start = System.nanoTime();
    assertReason(
        () -> NoiseHandshake.respond(pair[1], BOB, NONE, Duration.ofMillis(200)), Reason.TIMEOUT);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  // ---- payload codec -----------------------------------------------------------------------

  @Test
  void payloadToleratesJvmLibp2psEmptyFields3And4AndUnknownFields() throws Exception {
    byte[] key = ALICE.publicKey().encode();
    byte[] sig = new byte[64];
    ByteArrayOutputStream pb = new ByteArrayOutputStream();
    pb.write(0x0a);
    pb.write(key.length);
    pb.writeBytes(key);
    pb.write(0x12);
    pb.write(sig.length);
    pb.writeBytes(sig);
    pb.writeBytes(new byte[] {0x1a, 0x00, 0x22, 0x00}); // field 3 and field 4, both empty
    pb.writeBytes(new byte[] {(byte) 0xa8, 0x1f, 0x01}); // field 501, varint: unknown
    HandshakePayload p = NoiseCodec.decodePayload(pb.toByteArray());
    assertThat(p.identityKey()).isEqualTo(key);
    assertThat(p.identitySig()).isEqualTo(sig);
    assertThat(p.streamMuxers()).isEmpty();
  }

  @Test
  void payloadRoundTripsMuxers() throws Exception {
    HandshakePayload p =
        new HandshakePayload(
            new byte[] {1}, new byte[] {2}, List.of("/yamux/1.0.0", "/mplex/6.7.0"));
    HandshakePayload back = NoiseCodec.decodePayload(NoiseCodec.encodePayload(p));
    assertThat(back.streamMuxers()).containsExactly("/yamux/1.0.0", "/mplex/6.7.0");
  }

  @Test
  void payloadRejectsMissingIdentityGarbageAndTooManyMuxers() {
    assertReason(() -> NoiseCodec.decodePayload(new byte[0]), Reason.MALFORMED);
    assertReason(() -> NoiseCodec.decodePayload(new byte[] {0x0a, 0x05, 1}), Reason.MALFORMED);
    List<String> many = java.util.stream.IntStream.range(0, 33).mapToObj(n -> "/m/" + n).toList();
    byte[] tooMany =
        NoiseCodec.encodePayload(new HandshakePayload(new byte[] {1}, new byte[] {2}, many));
    assertReason(() -> NoiseCodec.decodePayload(tooMany), Reason.TOO_LARGE);
  }

  @Test
  void muxerSelectionFollowsTheInitiatorsPreference() throws Exception {
    assertThat(NoiseHandshake.selectMuxer(List.of("a", "b"), List.of("b", "a"))).contains("a");
    assertThat(NoiseHandshake.selectMuxer(List.of("c", "b"), List.of("a", "b"))).contains("b");
    assertThat(NoiseHandshake.selectMuxer(List.of(), List.of("a"))).isEqualTo(Optional.empty());
    assertReason(
        () -> NoiseHandshake.selectMuxer(List.of("a"), List.of("b")), Reason.UNSUPPORTED_PROTOCOL);
  }

  /** Passes everything through and keeps a copy of what was written. */
  static final class RecordingDuplex implements Duplex {
    final Duplex inner;
    final ByteArrayOutputStream recorded = new ByteArrayOutputStream();
    final java.io.OutputStream out;

    RecordingDuplex(Duplex inner) {
      this.inner = inner;
      this.out =
          new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
              recorded.write(b);
              inner.out().write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              recorded.write(b, off, len);
              inner.out().write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
              inner.out().flush();
            }
          };
    }

    @Override
    public java.io.InputStream in() {
      return inner.in();
    }

    @Override
    public java.io.OutputStream out() {
      return out;
    }

    @Override
    public void close() throws IOException {
      inner.close();
    }
  }
}
