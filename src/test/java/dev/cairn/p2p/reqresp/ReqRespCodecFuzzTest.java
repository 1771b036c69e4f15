package dev.cairn.p2p.reqresp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.testing.Fuzz;
import java.io.ByteArrayInputStream;
import java.io.EOFException;

/** Fuzzes request/response framing: a request frame, and a whole response of result chunks. */
class ReqRespCodecFuzzTest {
  private static final int MAX = 64 * 1024;

  @FuzzTest(maxDuration = "10s")
  void requestFrameIsReadOrRefused(byte[] input) throws Exception {
    Fuzz.readOrRefused(input, 16, MAX, in -> ReqRespCodec.readRequest(in, MAX));
  }

  @FuzzTest(maxDuration = "10s")
  void responseChunksAreReadWithinTheirBudget(byte[] input) throws Exception {
    Fuzz.bounded(
        input,
        64,
        MAX,
        Exception.class,
        () -> {
          try {
            return ReqRespCodec.readResponse(new ByteArrayInputStream(input), MAX, 16, 4L * MAX);
          } catch (ProtocolException | EOFException | RpcException e) {
            return null;
          }
        });
  }
}
