package dev.cairn.node.wallet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.AddressFormatException;
import dev.cairn.chain.model.Keys;
import dev.cairn.chain.model.SigningKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * A wallet key file: the 32-byte Ed25519 seed encrypted under a passphrase, the address in clear.
 *
 * <pre>
 * {
 *   "version" : 1,
 *   "address" : "cairn1...",
 *   "kdf" : { "name" : "scrypt", "n" : 32768, "r" : 8, "p" : 1, "salt" : "&lt;32 hex bytes&gt;" },
 *   "cipher" : { "name" : "aes-256-gcm", "nonce" : "&lt;12 hex bytes&gt;" },
 *   "ciphertext" : "&lt;seed (32 bytes) + GCM tag (16 bytes), hex&gt;"
 * }
 * </pre>
 *
 * The AES key is scrypt(passphrase as NFC UTF-8, salt, N, r, p, 32 bytes); salt and nonce are fresh
 * random values per file. The GCM additional data is the address text, so a file whose address was
 * edited fails to open like a wrong passphrase does; after decryption the seed must give the stored
 * address. Reading bounds the scrypt cost ({@link #MAX_LOG_N}, r, p, and the memory {@code 128 r N}
 * to {@link #MAX_SCRYPT_BYTES}) so a hostile file cannot exhaust memory. Files are created with
 * owner-only permissions (rw-------) where the file system supports POSIX permissions, and never
 * overwritten.
 */
public final class Keystore {
  /** The file format version. */
  public static final int VERSION = 1;

  /**
   * scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, about 0.1 s): the interactive setting of the
   * scrypt paper, as in Ethereum's "light" keystores.
   */
  public static final Params DEFAULT_PARAMS = new Params(1 << 15, 8, 1);

  /** Largest log2(N) a file may ask for (2^20 with r = 8 is 1 GiB). */
  static final int MAX_LOG_N = 20;

  /**
   * Most memory scrypt may need for a file we read ({@code 128 r N} bytes): twice what {@link
   * #DEFAULT_PARAMS} need. N and r are each bounded, but their product at the bounds was 2 GiB.
   */
  static final long MAX_SCRYPT_BYTES = 64L << 20;

  private static final int SALT_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final HexFormat HEX = HexFormat.of();
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** scrypt parameters. */
  public record Params(int n, int r, int p) {
    public Params {
      if (n < 2 || Integer.bitCount(n) != 1 || n > (1 << MAX_LOG_N)) {
        throw new IllegalArgumentException("scrypt N must be a power of two up to 2^" + MAX_LOG_N);
      }
      if (r < 1 || r > 16 || p < 1 || p > 4) {
        throw new IllegalArgumentException("scrypt r must be 1..16 and p 1..4");
      }
      if (128L * r * n > MAX_SCRYPT_BYTES) {
        throw new IllegalArgumentException(
            "scrypt N and r need " + (128L * r * n >> 20) + " MiB, above 64 MiB");
      }
    }
  }

  private Keystore() {}

  /**
   * Encrypts {@code key} under {@code passphrase} into a new file {@code file}; fails if it exists.
   */
  public static void write(
      Path file, SigningKey key, char[] passphrase, Params params, SecureRandom random)
      throws IOException {
    byte[] salt = new byte[SALT_BYTES];
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(salt);
    random.nextBytes(nonce);
    String address = key.address().text();
    byte[] aesKey = derive(passphrase, salt, params);
    byte[] seed = key.seed();
    byte[] ciphertext;
    try {
      ciphertext = cipher(Cipher.ENCRYPT_MODE, aesKey, nonce, address).doFinal(seed);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    } finally {
      Arrays.fill(aesKey, (byte) 0);
      Arrays.fill(seed, (byte) 0);
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    root.put("address", address);
    ObjectNode kdf = root.putObject("kdf");
    kdf.put("name", "scrypt");
    kdf.put("n", params.n());
    kdf.put("r", params.r());
    kdf.put("p", params.p());
    kdf.put("salt", HEX.formatHex(salt));
    ObjectNode c = root.putObject("cipher");
    c.put("name", "aes-256-gcm");
    c.put("nonce", HEX.formatHex(nonce));
    root.put("ciphertext", HEX.formatHex(ciphertext));
    byte[] bytes = JSON.writeValueAsBytes(root);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileAttribute<?>[] attrs =
        posix(parent)
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
            }
            : new FileAttribute<?>[0];
    try {
      Files.createFile(file, attrs);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("keystore " + file + " already exists; not overwriting it", e);
    }
    Files.write(file, bytes, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** The address stored in clear in a keystore file (no passphrase needed). */
  public static Address address(Path file) throws IOException {
    JsonNode root = readJson(file);
    return parseAddress(file, root);
  }

  /**
   * Decrypts the key in {@code file}.
   *
   * @throws WrongPassphraseException if the passphrase is wrong (or the encrypted part was altered)
   * @throws IOException if the file cannot be read or is not a keystore
   */
  public static SigningKey read(Path file, char[] passphrase) throws IOException {
    JsonNode root = readJson(file);
    Address address = parseAddress(file, root);
    if (root.path("version").asInt(-1) != VERSION) {
      throw damaged(file, "unknown version " + root.path("version"));
    }
    JsonNode kdf = root.path("kdf");
    JsonNode c = root.path("cipher");
    if (!kdf.path("name").asText().equals("scrypt")
        || !c.path("name").asText().equals("aes-256-gcm")) {
      throw damaged(file, "only scrypt with aes-256-gcm is supported");
    }
    Params params;
    try {
      params = new Params(kdf.path("n").asInt(), kdf.path("r").asInt(), kdf.path("p").asInt());
    } catch (IllegalArgumentException e) {
      throw damaged(file, e.getMessage());
    }
    byte[] salt = hex(file, kdf, "salt");
    byte[] nonce = hex(file, c, "nonce");
    byte[] ciphertext = hex(file, root, "ciphertext");
    if (salt.length < 16
        || nonce.length != NONCE_BYTES
        || ciphertext.length != Keys.SEED_SIZE + TAG_BITS / 8) {
      throw damaged(file, "wrong salt, nonce or ciphertext length");
    }
    byte[] aesKey = derive(passphrase, salt, params);
    byte[] seed;
    try {
      seed = cipher(Cipher.DECRYPT_MODE, aesKey, nonce, address.text()).doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      throw new WrongPassphraseException();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    } finally {
      Arrays.fill(aesKey, (byte) 0);
    }
    SigningKey key = SigningKey.fromSeed(seed);
    Arrays.fill(seed, (byte) 0);
    if (!key.address().equals(address)) {
      throw damaged(file, "the key does not belong to the address " + address.text());
    }
    return key;
  }

  private static JsonNode readJson(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no keystore file " + file);
    }
    if (Files.size(file) > 64 * 1024) {
      throw damaged(file, "too large for a keystore");
    }
    try {
      JsonNode root = JSON.readTree(Files.readAllBytes(file));
      if (root == null || !root.isObject()) {
        throw damaged(file, "not a JSON object");
      }
      return root;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw damaged(file, "not JSON");
    }
  }

  private static Address parseAddress(Path file, JsonNode root) throws IOException {
    try {
      return Address.parse(root.path("address").asText());
    } catch (AddressFormatException e) {
      throw damaged(file, "bad address: " + e.getMessage());
    }
  }

  private static byte[] hex(Path file, JsonNode parent, String field) throws IOException {
    try {
      return HEX.parseHex(parent.path(field).asText());
    } catch (IllegalArgumentException e) {
      throw damaged(file, field + " is not hex");
    }
  }

  private static IOException damaged(Path file, String why) {
    return new IOException("keystore " + file + " is damaged or not a keystore: " + why);
  }

  private static byte[] derive(char[] passphrase, byte[] salt, Params params) {
    String normalized = Normalizer.normalize(CharBuffer.wrap(passphrase), Normalizer.Form.NFC);
    ByteBuffer utf8 = StandardCharsets.UTF_8.encode(normalized);
    byte[] pass = new byte[utf8.remaining()];
    utf8.get(pass);
    try {
      return SCrypt.generate(pass, salt, params.n(), params.r(), params.p(), 32);
    } finally {
      Arrays.fill(pass, (byte) 0);
    }
  }

  private static Cipher cipher(int mode, byte[] key, byte[] nonce, String aad)
      throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
    c.updateAAD(aad.getBytes(StandardCharsets.US_ASCII));
    return c;
  }

  private static boolean posix(Path dir) throws IOException {
    return dir != null
        && Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
  }
}
