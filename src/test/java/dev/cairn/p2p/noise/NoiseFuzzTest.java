package dev.cairn.p2p.noise;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.testing.Fuzz;
import dev.cairn.testing.ScriptedDuplex;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Fuzzes Noise: the handshake payload protobuf (decrypted from message 2 or 3), the handshake frame
 * reader, a responder fed whole by a fuzzed initiator, and the transport read by a session whose
 * peer is authenticated (it holds the keys, so its messages pass the tag check unless it spoils
 * them).
 */
class NoiseFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void handshakePayloadDecodesAndRoundTrips(byte[] input) throws Exception {
    Fuzz.roundTrips(input, NoiseCodec::decodePayload, NoiseCodec::encodePayload);
  }

  @FuzzTest(maxDuration = "10s")
  void handshakeFramesAreReadOrRefused(byte[] input) throws Exception {
    Fuzz.bounded(
        input,
        16,
        NoiseCodec.MAX_MESSAGE,
        ProtocolException.class,
        () -> {
          ByteArrayInputStream in = new ByteArrayInputStream(input);
          for (int i = 1; i <= 3; i++) {
            NoiseCodec.readHandshakeFrame(in, i);
          }
          return null;
        });
  }

  @FuzzTest(maxDuration = "10s")
  void responderFedByAFuzzedInitiatorFailsTyped(byte[] input) throws Exception {
    ScriptedDuplex conn = new ScriptedDuplex(new ByteArrayInputStream(input));
    Fuzz.bounded(
        input,
        64,
        2L * NoiseCodec.MAX_MESSAGE,
        IOException.class,
        () -> {
          try {
            return NoiseHandshake.run(
                conn,
                NoiseHandshakeTest.BOB,
                null,
                NoiseHandshakeTest.YAMUX,
                NoiseHandshakeTest.TIMEOUT,
                false,
                NoiseHandshakeTest.R_STATIC,
                NoiseHandshakeTest.R_EPHEMERAL);
          } catch (ProtocolException e) {
            return null;
          }
        });
  }

  /** The transport key both ends of the fuzzed session share (the handshake's outcome). */
  private static final byte[] TRANSPORT_KEY = new byte[32];

  /**
   * Our session reads what an authenticated peer wrote: the input is a script of messages, each a
   * control byte, a two-byte plaintext length and the plaintext (as much of it as the input still
   * has). The peer encrypts each with the shared key; the control byte's low three bits make it
   * spoil one: 5 flips a ciphertext bit, 6 states a wrong length, 7 cuts the stream inside the
   * message. The session must deliver exactly the plaintexts before the first spoilt message, in
   * order, and then fail with a connection-scoped {@link ProtocolException} as the cause of an
   * {@link IOException}, or end cleanly when none was spoilt, allocating at most two 64 KiB buffers
   * beyond its output.
   */
  @FuzzTest(maxDuration = "10s")
  void transportFromAnAuthenticatedPeerIsReadOrRefused(byte[] input) throws Exception {
    CipherState peer = new CipherState(TRANSPORT_KEY);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    boolean spoilt = false;
    int at = 0;
    while (!spoilt && at + 3 <= input.length) {
      int control = input[at] & 0xff;
      int asked = ((input[at + 1] & 0xff) << 8) | (input[at + 2] & 0xff);
      at += 3;
      int length = Math.min(Math.min(asked, NoiseCodec.MAX_PLAINTEXT), input.length - at);
      byte[] plaintext = Arrays.copyOfRange(input, at, at + length);
      at += length;
      byte[] message = peer.encrypt(plaintext);
      int stated = message.length;
      switch (control & 7) {
        case 5 -> {
          message[(control >>> 3) % message.length] ^= (byte) (1 << (control % 8));
          spoilt = true;
        }
        case 6 -> {
          stated = (stated + 1 + (control >>> 3)) & 0xffff; // never the true length
          spoilt = true;
        }
        case 7 -> {
          message = Arrays.copyOf(message, (control >>> 3) % message.length);
          spoilt = true;
        }
        default -> sent.writeBytes(plaintext);
      }
      wire.write(stated >>> 8);
      wire.write(stated);
      wire.writeBytes(message);
    }
    byte[] bytes = wire.toByteArray();
    NoiseSession session =
        new NoiseSession(
            new ScriptedDuplex(new ByteArrayInputStream(bytes)),
            new CipherState(TRANSPORT_KEY),
            new CipherState(TRANSPORT_KEY),
            NoiseHandshakeTest.ALICE.publicKey(),
            Optional.empty(),
            new byte[32]);
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    IOException failure =
        Fuzz.bounded(
            bytes,
            4,
            2L * NoiseCodec.MAX_MESSAGE,
            IOException.class, // caught below: only what the lambda does not catch escapes
            () -> {
              try {
                drain(session.in(), read);
                return null;
              } catch (IOException e) {
                return e;
              }
            });
    byte[] expected = sent.toByteArray();
    assertThat(Arrays.copyOf(read.toByteArray(), Math.min(read.size(), expected.length)))
        .isEqualTo(Arrays.copyOf(expected, Math.min(read.size(), expected.length)));
    if (spoilt) {
      assertThat(read.toByteArray()).isEqualTo(expected);
      assertThat(failure).isNotNull();
      assertThat(NoiseSession.protocolFailure(failure)).isPresent();
    } else {
      assertThat(failure).isNull();
      assertThat(read.toByteArray()).isEqualTo(expected);
    }
  }

  private static void drain(InputStream in, ByteArrayOutputStream out) throws IOException {
    byte[] buffer = new byte[4096];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      out.write(buffer, 0, n);
    }
  }
}
