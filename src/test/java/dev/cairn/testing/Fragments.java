package dev.cairn.testing;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Every way (or, for long inputs, many seeded ways) to cut an input into pieces, so a frame decoder
 * is tested on each fragmentation a TCP stream could deliver.
 */
public final class Fragments {
  private Fragments() {}

  /**
   * Splits of {@code input}: all single cut points, all pairs of cut points for inputs up to 64
   * bytes, and 64 seeded random multi-cut splits.
   */
  public static List<List<byte[]>> splits(byte[] input) {
    List<List<byte[]>> out = new ArrayList<>();
    out.add(List.of(input.clone()));
    for (int i = 1; i < input.length; i++) {
      out.add(List.of(slice(input, 0, i), slice(input, i, input.length)));
    }
    if (input.length <= 64) {
      for (int i = 1; i < input.length; i++) {
        for (int j = i + 1; j < input.length; j++) {
          out.add(List.of(slice(input, 0, i), slice(input, i, j), slice(input, j, input.length)));
        }
      }
    }
    Random random = new Random(42);
    for (int k = 0; k < 64 && input.length > 1; k++) {
      List<byte[]> pieces = new ArrayList<>();
      int at = 0;
      while (at < input.length) {
        int n = 1 + random.nextInt(Math.max(1, Math.min(input.length - at, 1 + input.length / 4)));
        pieces.add(slice(input, at, at + n));
        at += n;
      }
      out.add(pieces);
    }
    List<byte[]> ones = new ArrayList<>();
    for (int i = 0; i < input.length; i++) {
      ones.add(slice(input, i, i + 1));
    }
    out.add(ones);
    return out;
  }

  /** An input stream that returns the pieces one read at a time (each read ends at a cut). */
  public static InputStream stream(List<byte[]> pieces) {
    return new InputStream() {
      private int piece;
      private ByteArrayInputStream current = new ByteArrayInputStream(new byte[0]);

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        while (current.available() == 0) {
          if (piece == pieces.size()) {
            return -1;
          }
          current = new ByteArrayInputStream(pieces.get(piece++));
        }
        return current.read(b, off, Math.min(len, current.available()));
      }
    };
  }

  private static byte[] slice(byte[] input, int from, int to) {
    return java.util.Arrays.copyOfRange(input, from, to);
  }
}
