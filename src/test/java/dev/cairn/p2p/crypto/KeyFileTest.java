package dev.cairn.p2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyFileTest {
  @TempDir Path dir;

  @Test
  void createsAnOwnerOnlyKeyFileAndReloadsTheSameKey() throws Exception {
    Path file = dir.resolve("data/identity.key");
    PrivateKey created = KeyFile.loadOrCreate(file);
    assertThat(created).isInstanceOf(Ed25519PrivateKey.class);
    assertThat(Files.readAllBytes(file)).isEqualTo(created.encode());
    if (posix()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
    }
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file); // no temporary file left behind
    }

    PrivateKey again = KeyFile.loadOrCreate(file);
    assertThat(again.encode()).isEqualTo(created.encode());
    assertThat(again.publicKey()).isEqualTo(created.publicKey());
    assertThat(KeyFile.load(file).encode()).isEqualTo(created.encode());
  }

  @Test
  void loadsASecp256k1KeyFile() throws Exception {
    Path file = dir.resolve("k1.key");
    Files.write(file, SpecVectors.bytes(SpecVectors.SECP256K1_PRIVATE));
    assertThat(KeyFile.loadOrCreate(file)).isInstanceOf(Secp256k1PrivateKey.class);
  }

  @Test
  void stillLoadsAWorldReadableKeyFile() throws Exception {
    assumeTrue(posix());
    Path file = dir.resolve("open.key");
    PrivateKey key = KeyFile.loadOrCreate(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(KeyFile.load(file).encode()).isEqualTo(key.encode()); // and logs a warning
  }

  @Test
  void reportsACorruptFileClearlyWithoutReplacingIt() throws Exception {
    Path file = dir.resolve("corrupt.key");
    byte[] garbage = {0x08, 0x01, 0x12, 0x40, 1, 2, 3};
    Files.write(file, garbage);
    assertThatThrownBy(() -> KeyFile.loadOrCreate(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("corrupt.key")
        .hasMessageContaining("corrupt");
    assertThat(Files.readAllBytes(file)).isEqualTo(garbage);
  }

  @Test
  void reportsEmptyOversizedAndUnsupportedFiles() throws Exception {
    Path empty = Files.write(dir.resolve("empty.key"), new byte[0]);
    assertThatThrownBy(() -> KeyFile.load(empty)).hasMessageContaining("corrupt");
    Path big = Files.write(dir.resolve("big.key"), new byte[KeyFile.MAX_FILE_BYTES + 1]);
    assertThatThrownBy(() -> KeyFile.load(big)).hasMessageContaining("corrupt");
    Path rsa = Files.write(dir.resolve("rsa.key"), SpecVectors.bytes(SpecVectors.RSA_PRIVATE));
    assertThatThrownBy(() -> KeyFile.load(rsa)).hasMessageContaining("UNKNOWN_TYPE");
  }

  @Test
  void neverPutsKeyBytesInTheErrorMessage() throws Exception {
    byte[] good = Ed25519PrivateKey.generate().encode();
    byte[] tampered = Arrays.copyOf(good, good.length);
    tampered[tampered.length - 1] ^= 1; // embedded public key no longer matches the seed
    Path file = Files.write(dir.resolve("tampered.key"), tampered);
    assertThatThrownBy(() -> KeyFile.load(file))
        .isInstanceOf(IOException.class)
        .hasMessageNotContaining(java.util.HexFormat.of().formatHex(good, 4, 36));
  }

  @Test
  void loadOfAMissingFileFailsAndWriteNeverReplacesAKey() throws Exception {
    Path file = dir.resolve("missing.key");
    assertThatThrownBy(() -> KeyFile.load(file)).isInstanceOf(NoSuchFileException.class);
    KeyFile.write(file, Ed25519PrivateKey.generate());
    assertThatThrownBy(() -> KeyFile.write(file, Ed25519PrivateKey.generate()))
        .isInstanceOf(FileAlreadyExistsException.class);
  }

  @Test
  void refusesADirectory() {
    assertThatThrownBy(() -> KeyFile.loadOrCreate(dir)).hasMessageContaining("not a regular file");
  }

  private boolean posix() {
    return Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
  }
}
