package dev.cairn.p2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.testing.Fragments;
import dev.cairn.testing.MemoryDuplex;
import dev.cairn.testing.ScriptedDuplex;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NoiseSessionTest {
  private static final PublicKey PEER = Ed25519PrivateKey.fromSeed(new byte[32]).publicKey();
  private static final byte[] KEY_A = NoiseHandshakeTest.seed(1);
  private static final byte[] KEY_B = NoiseHandshakeTest.seed(2);

  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** A session that sends with KEY_A and receives with KEY_B, over the given duplex. */
  static NoiseSession sessionA(ScriptedDuplex d) {
    return new NoiseSession(
        d, new CipherState(KEY_A), new CipherState(KEY_B), PEER, Optional.empty(), new byte[32]);
  }

  /** The other end: sends with KEY_B and receives with KEY_A. */
  static NoiseSession sessionB(ScriptedDuplex d) {
    return new NoiseSession(
        d, new CipherState(KEY_B), new CipherState(KEY_A), PEER, Optional.empty(), new byte[32]);
  }

  /** The 2-byte lengths of the frames in {@code wire}. */
  static List<Integer> frameSizes(byte[] wire) {
    List<Integer> sizes = new ArrayList<>();
    int at = 0;
    while (at < wire.length) {
      int len = ((wire[at] & 0xff) << 8) | (wire[at + 1] & 0xff);
      sizes.add(len);
      at += 2 + len;
    }
    assertThat(at).isEqualTo(wire.length);
    return sizes;
  }

  static byte[] decodeAll(byte[] wire) throws IOException {
    return sessionB(new ScriptedDuplex(new ByteArrayInputStream(wire))).in().readAllBytes();
  }

  @Test
  void writesAreFramedAtMostMaxPlaintextAndFlushEmitsTheRest() throws Exception {
    int[] sizes = {0, 1, 65519, 65520, 1 << 20};
    for (int size : sizes) {
      ScriptedDuplex d = new ScriptedDuplex(InputStream.nullInputStream());
      NoiseSession s = sessionA(d);
      byte[] data = random(size, size);
      s.out().write(data);
      s.out().flush();
      List<Integer> frames = frameSizes(d.written());
      assertThat(frames).allSatisfy(len -> assertThat(len).isBetween(17, 65535));
      int full = size / 65519;
      int rest = size % 65519;
      assertThat(frames).as("frames for %d bytes", size).hasSize(full + (rest > 0 ? 1 : 0));
      if (rest > 0) {
        assertThat(frames.get(frames.size() - 1)).isEqualTo(rest + 16);
      }
      assertThat(decodeAll(d.written())).isEqualTo(data);
    }
  }

  @Test
  void smallWritesAreBufferedUntilFlushOrAFullFrame() throws Exception {
    ScriptedDuplex d = new ScriptedDuplex(InputStream.nullInputStream());
    NoiseSession s = sessionA(d);
    s.out().write(1);
    s.out().write(new byte[] {2, 3});
    assertThat(d.written()).isEmpty();
    s.out().flush();
    assertThat(frameSizes(d.written())).containsExactly(3 + 16);
    s.out().flush(); // nothing buffered: no empty frame
    assertThat(frameSizes(d.written())).containsExactly(3 + 16);
    byte[] big = random(65519 * 2 + 5, 9);
    for (byte b : big) {
      s.out().write(b);
    }
    assertThat(frameSizes(d.written())).containsExactly(19, 65535, 65535);
    s.out().flush();
    assertThat(frameSizes(d.written())).containsExactly(19, 65535, 65535, 21);
  }

  @Test
  void readerAcceptsEmptyAndMaximalFramesAndSingleByteReads() throws Exception {
    CipherState sender = new CipherState(KEY_B);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    byte[] big = random(65519, 3);
    NoiseCodec.writeFrame(wire, sender.encrypt(new byte[0]));
    NoiseCodec.writeFrame(wire, sender.encrypt(new byte[] {42}));
    NoiseCodec.writeFrame(wire, sender.encrypt(new byte[0]));
    NoiseCodec.writeFrame(wire, sender.encrypt(big));
    NoiseSession s = sessionA(new ScriptedDuplex(new ByteArrayInputStream(wire.toByteArray())));
    assertThat(s.in().read()).isEqualTo(42);
    byte[] small = new byte[1000]; // smaller than the frame: served from the session's buffer
    assertThat(s.in().read(small)).isEqualTo(1000);
    assertThat(small).isEqualTo(Arrays.copyOf(big, 1000));
    assertThat(s.in().readAllBytes()).isEqualTo(Arrays.copyOfRange(big, 1000, big.length));
    assertThat(s.in().read()).isEqualTo(-1);
  }

  @Test
  void everyFragmentationOfTransportFramesDecodesIdentically() throws Exception {
    ScriptedDuplex d = new ScriptedDuplex(InputStream.nullInputStream());
    NoiseSession writer = sessionA(d);
    byte[] data = random(300, 5);
    writer.out().write(data, 0, 1);
    writer.out().flush();
    writer.out().write(data, 1, 60);
    writer.out().flush();
    writer.out().write(data, 61, 239);
    writer.out().flush();
    byte[] wire = d.written();
    for (List<byte[]> pieces : Fragments.splits(wire)) {
      NoiseSession reader = sessionB(new ScriptedDuplex(Fragments.stream(pieces)));
      assertThat(reader.in().readAllBytes()).isEqualTo(data);
    }
  }

  /** Counts the reads that reach the stream below the session. */
  static final class CountingInput extends InputStream {
    private final InputStream in;
    int reads;

    CountingInput(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      reads++;
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      reads++;
      return in.read(b, off, len);
    }
  }

  @Test
  void backToBackMaximalMessagesAreReadTwoPerReadBelow() throws Exception {
    ScriptedDuplex d = new ScriptedDuplex(InputStream.nullInputStream());
    NoiseSession writer = sessionA(d);
    byte[] data = random(8 * NoiseCodec.MAX_PLAINTEXT, 9);
    writer.out().write(data);
    writer.out().flush();
    CountingInput below = new CountingInput(new ByteArrayInputStream(d.written()));
    NoiseSession reader = sessionB(new ScriptedDuplex(below));
    byte[] header = new byte[12]; // as yamux reads: a short header, then the rest
    assertThat(reader.in().readNBytes(header, 0, 12)).isEqualTo(12);
    // What the two messages in the buffer hold can be read without blocking (the muxer asks).
    assertThat(reader.in().available()).isEqualTo(2 * NoiseCodec.MAX_PLAINTEXT - 12);
    byte[] rest = reader.in().readAllBytes();
    assertThat(header).isEqualTo(Arrays.copyOf(data, 12));
    assertThat(rest).isEqualTo(Arrays.copyOfRange(data, 12, data.length));
    // Eight messages: a first short read, then two messages per read, then end of stream (with a
    // length read and a body read per message it was 17).
    assertThat(below.reads).isLessThanOrEqualTo(7);
  }

  @Test
  void messagesOfMixedSizesInRandomChunksDecodeIdentically() throws Exception {
    ScriptedDuplex d = new ScriptedDuplex(InputStream.nullInputStream());
    NoiseSession writer = sessionA(d);
    Random sizes = new Random(11);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    for (int i = 0; i < 60; i++) {
      int n =
          sizes.nextInt(4) == 0 ? sizes.nextInt(3 * NoiseCodec.MAX_PLAINTEXT) : sizes.nextInt(300);
      byte[] piece = random(n, i);
      writer.out().write(piece);
      sent.write(piece);
      if (sizes.nextBoolean()) {
        writer.out().flush();
      }
    }
    writer.out().flush();
    byte[] wire = d.written();
    for (int seed = 0; seed < 8; seed++) {
      List<byte[]> pieces = new ArrayList<>();
      Random cuts = new Random(100 + seed);
      for (int at = 0; at < wire.length; ) {
        int n = Math.min(wire.length - at, 1 + cuts.nextInt(seed % 2 == 0 ? 200_000 : 3_000));
        pieces.add(Arrays.copyOfRange(wire, at, at + n));
        at += n;
      }
      NoiseSession reader = sessionB(new ScriptedDuplex(Fragments.stream(pieces)));
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[1 + cuts.nextInt(100_000)];
      for (int n; (n = reader.in().read(buf, 0, 1 + cuts.nextInt(buf.length))) >= 0; ) {
        got.write(buf, 0, n);
      }
      assertThat(got.toByteArray()).isEqualTo(sent.toByteArray());
    }
  }

  static void assertFailure(NoiseSession s, ScriptedDuplex d, Reason reason) {
    assertThatThrownBy(() -> s.in().readAllBytes())
        .isInstanceOfSatisfying(
            IOException.class,
            e -> {
              Optional<ProtocolException> pe = NoiseSession.protocolFailure(e);
              assertThat(pe).as("cause of %s", e).isPresent();
              assertThat(pe.get().reason()).isEqualTo(reason);
              assertThat(pe.get().scope()).isEqualTo(Scope.CONNECTION);
            });
    assertThat(d.closed()).as("underlying connection closed").isTrue();
    // The session stays failed.
    assertThatThrownBy(() -> s.in().read()).isInstanceOf(IOException.class);
  }

  /** The wire bytes of A's session writing and flushing each of {@code writes} in turn. */
  private static byte[] sealedByA(byte[]... writes) throws IOException {
    ScriptedDuplex w = new ScriptedDuplex(InputStream.nullInputStream());
    NoiseSession writer = sessionA(w);
    for (byte[] b : writes) {
      writer.out().write(b);
      writer.out().flush();
    }
    return w.written();
  }

  @Test
  void aTamperedByteInAnyFrameFailsTheTagAndClosesTheConnection() throws Exception {
    byte[] wire = sealedByA(random(100, 1), random(50, 2));
    for (int at : new int[] {2, 50, 117, 2 + 116 + 2, wire.length - 1}) {
      byte[] bad = wire.clone();
      bad[at] ^= 0x40;
      ScriptedDuplex d = new ScriptedDuplex(new ByteArrayInputStream(bad));
      assertFailure(sessionB(d), d, Reason.BAD_SIGNATURE);
    }
  }

  @Test
  void framesSwappedOrReplayedFailTheTag() throws Exception {
    byte[] first = sealedByA(new byte[] {1});
    ScriptedDuplex d = new ScriptedDuplex(new ByteArrayInputStream(concat(first, first)));
    NoiseSession reader = sessionB(d);
    assertThat(reader.in().read()).isEqualTo(1);
    assertFailure(reader, d, Reason.BAD_SIGNATURE);
  }

  @Test
  void frameShorterThanATagIsMalformed() {
    ScriptedDuplex d = new ScriptedDuplex(new ByteArrayInputStream(new byte[] {0, 15, 1, 2}));
    assertFailure(sessionB(d), d, Reason.MALFORMED);
  }

  @Test
  void streamEndingInsideAFrameIsTruncated() throws Exception {
    byte[] cut = Arrays.copyOf(sealedByA(random(100, 1)), 60);
    ScriptedDuplex d = new ScriptedDuplex(new ByteArrayInputStream(cut));
    assertFailure(sessionB(d), d, Reason.TRUNCATED);
    ScriptedDuplex half = new ScriptedDuplex(new ByteArrayInputStream(new byte[] {0}));
    assertFailure(sessionB(half), half, Reason.TRUNCATED);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  // ---- over a real handshake ---------------------------------------------------------------

  NoiseSession[] connectedPair() throws Exception {
    MemoryDuplex[] pair = MemoryDuplex.pair();
    Duration timeout = Duration.ofSeconds(10);
    Future<NoiseSession> r =
        executor.submit(
            () ->
                NoiseHandshake.respond(
                    pair[1], NoiseHandshakeTest.BOB, List.of("/yamux/1.0.0"), timeout));
    NoiseSession i =
        NoiseHandshake.initiate(
            pair[0], NoiseHandshakeTest.ALICE, null, List.of("/yamux/1.0.0"), timeout);
    return new NoiseSession[] {i, r.get()};
  }

  /** Writes {@code data} in chunks of varying size on another thread. */
  Future<?> send(NoiseSession s, byte[] data) {
    return executor.submit(
        () -> {
          Random random = new Random(data.length);
          int at = 0;
          while (at < data.length) {
            int n = Math.min(data.length - at, 1 + random.nextInt(200_000));
            s.out().write(data, at, n);
            at += n;
          }
          s.out().flush();
          return null;
        });
  }

  static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }

  @Test
  void fiveMebibytesBothWaysConcurrentlyArriveIntact() throws Exception {
    NoiseSession[] s = connectedPair();
    byte[] aToB = random(5 << 20, 1);
    byte[] bToA = random(5 << 20, 2);
    Future<?> sendA = send(s[0], aToB);
    Future<?> sendB = send(s[1], bToA);
    Future<byte[]> readB = executor.submit(() -> s[1].in().readNBytes(aToB.length));
    Future<byte[]> readA = executor.submit(() -> s[0].in().readNBytes(bToA.length));
    sendA.get();
    sendB.get();
    assertThat(sha256(readB.get())).isEqualTo(sha256(aToB));
    assertThat(sha256(readA.get())).isEqualTo(sha256(bToA));
  }

  @Test
  void closingOneSideEndsTheOthersStreamCleanly() throws Exception {
    NoiseSession[] s = connectedPair();
    s[0].out().write("bye".getBytes());
    s[0].out().close();
    assertThat(s[1].in().readAllBytes()).isEqualTo("bye".getBytes());
    s[0].close();
    s[1].close();
    assertThatThrownBy(() -> s[0].out().write(1)).isInstanceOf(IOException.class);
  }
}
