package dev.cairn.chain.model;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * Bech32m (BIP-350) text with a human-readable part and 5-bit data, plus the 8 ⇄ 5 bit regrouping.
 * Written from BIP-173/BIP-350.
 */
final class Bech32m {
  static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  private static final int CONST = 0x2bc830a3;
  private static final int[] GEN = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  static final int MAX_LENGTH = 90;

  private Bech32m() {}

  /** Decoded text: the human-readable part (lower case) and the data without the checksum. */
  record Decoded(String hrp, byte[] data) {}

  private static int polymod(byte[] values) {
    int chk = 1;
    for (byte v : values) {
      int b = chk >>> 25;
      chk = ((chk & 0x1ffffff) << 5) ^ (v & 0xff);
      for (int i = 0; i < 5; i++) {
        if (((b >>> i) & 1) != 0) {
          chk ^= GEN[i];
        }
      }
    }
    return chk;
  }

  private static byte[] expand(String hrp, byte[] data, int extra) {
    int n = hrp.length();
    byte[] out = new byte[2 * n + 1 + data.length + extra];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) (hrp.charAt(i) >> 5);
      out[n + 1 + i] = (byte) (hrp.charAt(i) & 31);
    }
    System.arraycopy(data, 0, out, 2 * n + 1, data.length);
    return out;
  }

  static String encode(String hrp, byte[] data5) {
    int mod = polymod(expand(hrp, data5, 6)) ^ CONST;
    StringBuilder sb =
        new StringBuilder(hrp.length() + 1 + data5.length + 6).append(hrp).append('1');
    for (byte b : data5) {
      sb.append(CHARSET.charAt(b));
    }
    for (int i = 0; i < 6; i++) {
      sb.append(CHARSET.charAt((mod >>> (5 * (5 - i))) & 31));
    }
    return sb.toString();
  }

  /** Decodes and checks the checksum; the message says what is wrong. */
  static Decoded decode(String text) throws AddressFormatException {
    if (text.length() > MAX_LENGTH) {
      throw new AddressFormatException("too long: " + text.length() + " characters");
    }
    boolean lower = false;
    boolean upper = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 33 || c > 126) {
        throw new AddressFormatException("invalid character at position " + i);
      }
      lower |= c >= 'a' && c <= 'z';
      upper |= c >= 'A' && c <= 'Z';
    }
    if (lower && upper) {
      throw new AddressFormatException("mixes upper and lower case");
    }
    String s = text.toLowerCase(Locale.ROOT);
    int sep = s.lastIndexOf('1');
    if (sep < 1 || sep + 7 > s.length()) {
      throw new AddressFormatException("no prefix separator '1' or too short");
    }
    String hrp = s.substring(0, sep);
    byte[] data = new byte[s.length() - sep - 1];
    for (int i = 0; i < data.length; i++) {
      int v = CHARSET.indexOf(s.charAt(sep + 1 + i));
      if (v < 0) {
        throw new AddressFormatException(
            "character '"
                + s.charAt(sep + 1 + i)
                + "' at position "
                + (sep + 1 + i)
                + " is not in the address alphabet (no 1, b, i, o)");
      }
      data[i] = (byte) v;
    }
    if (polymod(expand(hrp, data, 0)) != CONST) {
      throw new AddressFormatException("checksum does not match: the address is mistyped");
    }
    return new Decoded(hrp, java.util.Arrays.copyOf(data, data.length - 6));
  }

  /** Regroups bits; {@code pad} on encode, strict (no leftover bits) on decode. */
  static byte[] convertBits(byte[] in, int from, int to, boolean pad)
      throws AddressFormatException {
    int acc = 0;
    int bits = 0;
    int maxv = (1 << to) - 1;
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length * from / to + 1);
    for (byte b : in) {
      int v = b & 0xff;
      if ((v >>> from) != 0) {
        throw new AddressFormatException("invalid data value");
      }
      acc = (acc << from) | v;
      bits += from;
      while (bits >= to) {
        bits -= to;
        out.write((acc >>> bits) & maxv);
      }
    }
    if (pad) {
      if (bits > 0) {
        out.write((acc << (to - bits)) & maxv);
      }
    } else if (bits >= from || ((acc << (to - bits)) & maxv) != 0) {
      throw new AddressFormatException("invalid padding");
    }
    return out.toByteArray();
  }
}
