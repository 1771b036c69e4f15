package dev.cairn.testing;

import dev.cairn.p2p.host.Stream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;

/** The test echo protocol, served and used the same way by every host and interop test. */
public final class Echo {
  public static final String PROTOCOL_ID = "/cairn/test/echo/1.0.0";

  private Echo() {}

  /** Serves one stream: echo every byte, then half-close after the remote did. */
  public static void serve(Stream s) throws IOException {
    s.in().transferTo(s.out());
    s.out().flush();
    s.closeWrite();
  }

  /**
   * Writes {@code size} seeded random bytes on {@code s} from a second thread while reading the
   * echo, half-closes, and returns whether the echo's SHA-256 matches.
   */
  public static boolean roundTrip(Stream s, int size, long seed) throws Exception {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    Thread writer =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    s.out().write(data);
                    s.out().flush();
                    s.closeWrite();
                  } catch (IOException e) {
                    s.reset();
                  }
                });
    byte[] back = s.in().readAllBytes();
    writer.join();
    return MessageDigest.isEqual(sha256(back), sha256(data));
  }

  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
