package dev.cairn.node.wallet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.chain.model.SigningKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class KeystoreTest {
  private static final Keystore.Params FAST = new Keystore.Params(1 << 10, 8, 1);
  private static final char[] PASS = "correct horse".toCharArray();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private final SigningKey key = SigningKey.generate(new SecureRandom());

  /** {@link #key} written to k.json with {@link #FAST} parameters. */
  private Path written() throws IOException {
    Path f = tmp.resolve("k.json");
    Keystore.write(f, key, PASS, FAST, new SecureRandom());
    return f;
  }

  /** {@code json} written to a new file {@code name}. */
  private Path rewritten(String name, ObjectNode json) throws IOException {
    Path f = tmp.resolve(name);
    JSON.writeValue(f.toFile(), json);
    return f;
  }

  @Test
  void roundTripsTheKeyAndKeepsTheAddressInClear() throws IOException {
    Path f = tmp.resolve("k.json");
    Keystore.write(f, key, PASS, Keystore.DEFAULT_PARAMS, new SecureRandom());
    assertThat(Keystore.read(f, PASS)).isEqualTo(key);
    assertThat(Keystore.address(f)).isEqualTo(key.address());
    assertThat(Files.readString(f)).contains(key.address().text()).contains("\"n\" : 32768");
  }

  @Test
  void createsTheFileOwnerOnly() throws IOException {
    Path f = written();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-------");
  }

  @Test
  void wrongPassphraseFailsWithThatMessage() throws IOException {
    Path f = written();
    assertThatThrownBy(() -> Keystore.read(f, "wrong".toCharArray()))
        .isInstanceOf(WrongPassphraseException.class)
        .hasMessage("wrong passphrase");
  }

  @Test
  void refusesToOverwrite() throws IOException {
    Path f = written();
    assertThatThrownBy(() -> Keystore.write(f, key, PASS, FAST, new SecureRandom()))
        .hasMessageContaining("already exists");
  }

  @Test
  void detectsATamperedCiphertextOrAddress() throws IOException {
    Path f = written();
    ObjectNode root = (ObjectNode) JSON.readTree(f.toFile());

    ObjectNode flipped = root.deepCopy();
    String ct = flipped.get("ciphertext").asText();
    flipped.put("ciphertext", (ct.charAt(0) == '0' ? "1" : "0") + ct.substring(1));
    Path f2 = rewritten("flipped.json", flipped);
    assertThatThrownBy(() -> Keystore.read(f2, PASS)).isInstanceOf(WrongPassphraseException.class);

    ObjectNode other = root.deepCopy();
    other.put("address", SigningKey.generate(new SecureRandom()).address().text());
    Path f3 = rewritten("other.json", other);
    assertThatThrownBy(() -> Keystore.read(f3, PASS)).isInstanceOf(WrongPassphraseException.class);

    ObjectNode costly = root.deepCopy();
    ((ObjectNode) costly.get("kdf")).put("n", 1 << 30);
    Path f4 = rewritten("costly.json", costly);
    assertThatThrownBy(() -> Keystore.read(f4, PASS)).hasMessageContaining("damaged");

    Path f5 = tmp.resolve("junk.json");
    Files.writeString(f5, "not json");
    assertThatThrownBy(() -> Keystore.read(f5, PASS)).hasMessageContaining("damaged");
  }

  @Test
  void refusesAFileWhoseScryptParametersNeedMoreThan64MiB() throws IOException {
    Path f = written();
    ObjectNode costly = (ObjectNode) JSON.readTree(f.toFile());
    // N = 2^20 and r = 16 are each within their bound, but together need 2 GiB (a fuzz finding).
    ((ObjectNode) costly.get("kdf")).put("n", 1 << 20).put("r", 16);
    JSON.writeValue(f.toFile(), costly);
    assertThatThrownBy(() -> Keystore.read(f, PASS))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("damaged")
        .hasMessageContaining("MiB");
    assertThatThrownBy(() -> new Keystore.Params(1 << 17, 8, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new Keystore.Params(1 << 16, 8, 1).n()).isEqualTo(1 << 16);
  }
}
