package dev.cairn.testing;

/** Tear-down of what a test started: the parts it got to start, in the order given. */
public final class Closing {
  private Closing() {}

  /**
   * Closes each non-null part in order (a part the test never started is null); a part whose close
   * throws stops the tear-down, as a failed {@code close()} call would.
   */
  public static void all(AutoCloseable... parts) throws Exception {
    for (AutoCloseable part : parts) {
      if (part != null) {
        part.close();
      }
    }
  }
}
