package dev.cairn.p2p.reqresp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.multiformats.Varint;
import dev.cairn.testing.Fragments;
import dev.cairn.testing.TestNet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(30)
class ReqRespProtocolTest {
  static final String ID = "/cairn/test/req/echo/1";
  @RegisterExtension final TestNet net = TestNet.memory();

  /** Answers "a,b,c" with one chunk per comma-separated item; "missing" → RESOURCE_UNAVAILABLE. */
  static void split(dev.cairn.p2p.multiformats.PeerId peer, byte[] req, RequestHandler.Responder r)
      throws IOException {
    String text = new String(req, StandardCharsets.UTF_8);
    if (text.equals("missing")) {
      throw new RpcException(RpcCode.RESOURCE_UNAVAILABLE, "no such thing");
    }
    for (String part : text.split(",")) {
      r.chunk(part.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** {@code client}'s requester for {@code config}, connected to {@code server}. */
  static ReqRespProtocol dialled(Libp2p client, Libp2p server, ReqRespConfig config)
      throws IOException {
    ReqRespProtocol c = ReqRespProtocol.client(client.host(), config);
    client.host().dial(server.host().fullAddress().orElseThrow());
    return c;
  }

  /** As {@link #dialled}, with {@code server} answering by {@link #split} under {@code config}. */
  static ReqRespProtocol splitting(Libp2p server, Libp2p client, ReqRespConfig config)
      throws IOException {
    ReqRespProtocol.serve(server.host(), config, ReqRespProtocolTest::split);
    return dialled(client, server, config);
  }

  @Test
  void returnsEveryChunkOfTheResponse() throws Exception {
    Libp2p server = net.host();
    Libp2p client = net.host();
    ReqRespProtocol c = splitting(server, client, ReqRespConfig.defaults(ID));
    List<byte[]> chunks = c.request(server.host().peerId(), "a,bb,ccc".getBytes());
    assertThat(chunks).extracting(String::new).containsExactly("a", "bb", "ccc");
  }

  @Test
  void theAnswerBufferIsReservedFromTheBudgetAndRefusedAtIt() throws Exception {
    // The protocol's budget holds one stream's 256 KiB window, not the 64 KiB answer buffer too.
    dev.cairn.p2p.host.ResourceLimits tight =
        dev.cairn.owner.RecordCopy.of(dev.cairn.p2p.host.ResourceLimits.defaults())
            .set("protocolBytes", 256L * 1024 + 1024)
            .build();
    Libp2p server = net.host(c -> c.withResources(tight));
    Libp2p client = net.host();
    ReqRespProtocol c = splitting(server, client, ReqRespConfig.defaults(ID));
    assertThatThrownBy(() -> c.request(server.host().peerId(), "a".getBytes()))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(RpcCode.SERVER_ERROR));
    dev.cairn.testing.Await.until(
        () -> server.host().resources().snapshot().system().bytes() < 64 * 1024,
        "the refused request's stream is released");
    // With room for the buffer the same request is answered, and nothing stays reserved after.
    Libp2p roomy = net.host();
    ReqRespProtocol r = splitting(roomy, client, ReqRespConfig.defaults(ID));
    assertThat(r.request(roomy.host().peerId(), "a".getBytes())).hasSize(1);
    dev.cairn.testing.Await.until(
        () -> roomy.host().resources().snapshot().protocols().getOrDefault(ID, ZERO).bytes() == 0,
        "the answer buffer is released");
  }

  private static final dev.cairn.p2p.host.ResourceManager.Usage ZERO =
      new dev.cairn.p2p.host.ResourceManager.Usage(0, 0);

  /**
   * The requester's side: an answer is memory the responder fills, so each chunk is reserved (low
   * priority) before it is read, and a chunk the budget refuses ends the request without reading it
   * and without blaming the responder.
   */
  @Test
  void answerChunksAreReservedBeforeTheyAreReadAndRefusedPastTheLowPriorityShare()
      throws Exception {
    long kib = 1024;
    // The requester's protocol budget is 2 MiB; its stream's window takes 256 KiB of it, and an
    // answer may take the rest of the low-priority three quarters (1.5 MiB), not all of it.
    dev.cairn.p2p.host.ResourceLimits tight =
        dev.cairn.owner.RecordCopy.of(dev.cairn.p2p.host.ResourceLimits.defaults())
            .set("protocolBytes", 2048 * kib)
            .build();
    Libp2p server = net.host();
    Libp2p client = net.host(c -> c.withResources(tight));
    // The request names the sizes of the chunks to answer with.
    ReqRespProtocol.serve(
        server.host(),
        ReqRespConfig.defaults(ID),
        (peer, req, r) -> {
          for (String size : new String(req, StandardCharsets.UTF_8).split(",")) {
            r.chunk(new byte[Integer.parseInt(size)]);
          }
        });
    ReqRespProtocol c = dialled(client, server, ReqRespConfig.defaults(ID));
    dev.cairn.p2p.multiformats.PeerId sp = server.host().peerId();

    // 256 KiB + 1.5 MiB fits the whole budget, but not the three quarters an answer may use.
    assertThatThrownBy(() -> c.request(sp, String.valueOf(1536 * kib).getBytes()))
        .isExactlyInstanceOf(IOException.class)
        .hasMessageContaining("busy");
    assertThat(client.host().standing(sp).penalties()).as("not the responder's fault").isZero();

    List<byte[]> small = c.request(sp, "65536,65536,65536".getBytes());
    assertThat(small).hasSize(3);
    dev.cairn.testing.Await.until(
        () -> client.host().resources().snapshot().protocols().getOrDefault(ID, ZERO).bytes() == 0,
        "answers and streams are released");
  }

  @Test
  void aRequestStreamThatNeverSendsIsResetAfterItsDeadline() throws Exception {
    Libp2p server = net.host();
    Libp2p client = net.host();
    java.util.concurrent.atomic.AtomicInteger handled =
        new java.util.concurrent.atomic.AtomicInteger();
    ReqRespProtocol.serve(
        server.host(),
        ReqRespConfig.defaults(ID).withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(2)),
        (peer, req, r) -> handled.incrementAndGet());
    client.host().dial(server.host().fullAddress().orElseThrow());
    long start = System.nanoTime();
    try (Stream silent = client.host().newStream(server.host().peerId(), ID)) {
      // we send nothing: the responder must not wait for the request forever
      assertThatThrownBy(() -> silent.in().read())
          .as("the responder resets the stream")
          .isInstanceOf(IOException.class);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(handled).hasValue(0);
  }

  @Test
  void reportsTheRespondersErrorCode() throws Exception {
    Libp2p server = net.host();
    Libp2p client = net.host();
    ReqRespProtocol c = splitting(server, client, ReqRespConfig.defaults(ID));
    assertThatThrownBy(() -> c.request(server.host().peerId(), "missing".getBytes()))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(RpcCode.RESOURCE_UNAVAILABLE))
        .hasMessageContaining("no such thing");
  }

  @Test
  void answersAnOversizedRequestWithInvalidRequestAndPenalises() throws Exception {
    Libp2p server = net.host();
    Libp2p client = net.host();
    ReqRespProtocol.serve(server.host(), ReqRespConfig.defaults(ID), ReqRespProtocolTest::split);
    client.host().dial(server.host().fullAddress().orElseThrow());
    for (int i = 0; i < 5; i++) {
      try (Stream s = client.host().newStream(server.host().peerId(), ID)) {
        s.out().write(Varint.encode(10_000_000)); // declares 10 MB, sends nothing
        s.closeWrite();
        ReqRespCodec.Chunk c = ReqRespCodec.readChunk(s.in(), 1024);
        assertThat(c.code()).isEqualTo(RpcCode.INVALID_REQUEST);
      } catch (IOException e) {
        break; // banned and disconnected
      }
    }
    dev.cairn.testing.Await.until(
        () -> server.host().isBanned(client.host().peerId()),
        "the sender of bad requests is banned");
  }

  @Test
  void limitsTheRequestRatePerPeer() throws Exception {
    Libp2p server = net.host();
    Libp2p client = net.host();
    ReqRespConfig config =
        ReqRespConfig.defaults(ID)
            .copy()
            .set(ReqRespConfig::maxConcurrentPerPeer, 4)
            .set(ReqRespConfig::requestsPerSecond, 0.001)
            .set(ReqRespConfig::burst, 2)
            .build();
    ReqRespProtocol c = splitting(server, client, config);
    c.request(server.host().peerId(), "x".getBytes());
    c.request(server.host().peerId(), "y".getBytes());
    assertThatThrownBy(() -> c.request(server.host().peerId(), "z".getBytes()))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(RpcCode.RATE_LIMITED));
  }

  @Test
  void timesOutASilentResponder() throws Exception {
    Libp2p server = net.host();
    Libp2p client = net.host();
    CountDownLatch release = new CountDownLatch(1);
    ReqRespProtocol.serve(
        server.host(),
        ReqRespConfig.defaults(ID),
        (peer, req, r) -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    ReqRespProtocol c =
        ReqRespProtocol.client(
            client.host(),
            ReqRespConfig.defaults(ID).withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(5)));
    client.host().dial(server.host().fullAddress().orElseThrow());
    long start = System.nanoTime();
    assertThatThrownBy(() -> c.request(server.host().peerId(), "x".getBytes()))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    release.countDown();
  }

  @Test
  void rejectsAResponseWithTooManyChunks() throws Exception {
    Libp2p server = net.host();
    Libp2p client = net.host();
    hostileResponder(server, 10, 1, new java.util.concurrent.CopyOnWriteArrayList<>());
    ReqRespProtocol c =
        ReqRespProtocol.client(
            client.host(), ReqRespConfig.defaults(ID).with(ReqRespConfig::maxChunks, 3));
    client.host().dial(server.host().fullAddress().orElseThrow());
    assertThatThrownBy(() -> c.request(server.host().peerId(), "x".getBytes()))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED));
  }

  @Test
  void decodesChunksAtEveryFragmentationAndRejectsHostileOnes() throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ReqRespCodec.writeChunk(wire, RpcCode.SUCCESS, "hello".getBytes());
    ReqRespCodec.writeChunk(wire, RpcCode.SUCCESS, new byte[0]);
    ReqRespCodec.writeError(wire, RpcCode.SERVER_ERROR, "oops");
    for (List<byte[]> pieces : Fragments.splits(wire.toByteArray())) {
      var in = Fragments.stream(pieces);
      assertThat(new String(ReqRespCodec.readChunk(in, 100).body())).isEqualTo("hello");
      assertThat(ReqRespCodec.readChunk(in, 100).body()).isEmpty();
      assertThat(ReqRespCodec.readChunk(in, 100).code()).isEqualTo(RpcCode.SERVER_ERROR);
      assertThat(ReqRespCodec.readChunk(in, 100)).isNull();
    }
    assertThatThrownBy(
            () -> ReqRespCodec.readChunk(new java.io.ByteArrayInputStream(new byte[] {9, 0}), 10))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE));
    byte[] huge = {0, (byte) 0xff, (byte) 0xff, 0x7f};
    assertThatThrownBy(() -> ReqRespCodec.readChunk(new java.io.ByteArrayInputStream(huge), 1024))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    byte[] cut = {0, 5, 'a', 'b'};
    assertThatThrownBy(() -> ReqRespCodec.readChunk(new java.io.ByteArrayInputStream(cut), 1024))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
  }

  // ---- answers bounded by questions (t2-A item 7)

  /** Counts the bytes read from the wrapped stream. */
  static final class Counting extends java.io.FilterInputStream {
    long read;

    Counting(byte[] bytes) {
      super(new java.io.ByteArrayInputStream(bytes));
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        read++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        read += n;
      }
      return n;
    }
  }

  static byte[] chunks(int count, int size) throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (int i = 0; i < count; i++) {
      ReqRespCodec.writeChunk(wire, RpcCode.SUCCESS, new byte[size]);
    }
    return wire.toByteArray();
  }

  @Test
  void aResponseOverItsByteBudgetFailsAtTheLengthPrefixBeforeTheChunkIsRead() throws Exception {
    int mib = 1 << 20;
    Counting in = new Counting(chunks(3, mib));
    assertThatThrownBy(() -> ReqRespCodec.readResponse(in, 4 * mib, 10, mib + mib / 2))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED));
    // the first chunk (1 MiB + 4 bytes of framing) and the second's code and length prefix only
    assertThat(in.read).isEqualTo(mib + 4 + 4).isLessThanOrEqualTo(mib + mib / 2);
    // within the budget the same bytes are a good answer
    assertThat(ReqRespCodec.readResponse(new Counting(chunks(3, mib)), 4 * mib, 10, 3L * mib))
        .hasSize(3);
  }

  @Test
  void aResponseWithMoreChunksThanAskedFailsBeforeTheExtraChunkIsRead() throws Exception {
    Counting in = new Counting(chunks(10, 100));
    assertThatThrownBy(() -> ReqRespCodec.readResponse(in, 1_000, 3, 1 << 20))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED));
    assertThat(in.read).isEqualTo(3 * 102 + 1);
  }

  /** A raw responder that answers every request with {@code count} chunks of {@code size}. */
  static void hostileResponder(Libp2p server, int count, int size, List<Throwable> writeFailures) {
    server
        .host()
        .setHandler(
            ID,
            s -> {
              s.in().readAllBytes();
              try {
                for (int i = 0; i < count; i++) {
                  ReqRespCodec.writeChunk(s.out(), RpcCode.SUCCESS, new byte[size]);
                  s.out().flush();
                }
                s.closeWrite();
              } catch (IOException e) {
                writeFailures.add(e); // the requester reset the stream
                throw e;
              }
            });
  }

  @Test
  void aResponderSendingMoreThanAskedIsChargedAndBannedInTheEnd() throws Exception {
    Libp2p server = net.host();
    Libp2p client = net.host();
    List<Throwable> writeFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
    hostileResponder(server, 10, 16, writeFailures);
    ReqRespProtocol c = dialled(client, server, ReqRespConfig.defaults(ID));
    // the config allows 128 chunks; this request asked for 3
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> c.request(server.host().peerId(), "x".getBytes(), 3, 1 << 20))
          .isInstanceOfSatisfying(
              ProtocolException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED));
    }
    // 5 × 20 points: the host's ban threshold (the connection manager applies them in turn)
    dev.cairn.testing.Await.until(
        () -> client.host().isBanned(server.host().peerId()),
        Duration.ofSeconds(10),
        "the responder banned");
  }

  @Test
  void aResponderSendingMoreBytesThanTheBudgetIsCutOffAndItsStreamReset() throws Exception {
    Libp2p server = net.host();
    Libp2p client = net.host();
    List<Throwable> writeFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
    // 64 chunks of 256 KiB = 16 MiB, within the config's chunk count and size
    hostileResponder(server, 64, 256 << 10, writeFailures);
    ReqRespProtocol c = dialled(client, server, ReqRespConfig.defaults(ID));
    assertThatThrownBy(() -> c.request(server.host().peerId(), "x".getBytes(), 64, 1 << 20))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED));
    dev.cairn.testing.Await.until(
        () -> !writeFailures.isEmpty(), Duration.ofSeconds(10), "the responder's stream reset");
  }
}
