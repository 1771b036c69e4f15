package dev.cairn.p2p.crypto;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.multiformats.PeerId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The node's identity key on disk: the libp2p PrivateKey protobuf bytes, nothing else (the format
 * go-libp2p and js-libp2p use for key files, so keys can be moved between implementations).
 *
 * <p>A new key is an Ed25519 key. It is written to a temporary file that is created owner-only
 * ({@code rw-------}) where the file system has POSIX permissions, forced to disk, then renamed
 * into place, so a crash never leaves a half-written key behind. Loading a key file that the group
 * or others may read or write logs a warning but still loads it: refusing would stop a node over a
 * fixable setup mistake. The key itself is never logged.
 */
public final class KeyFile {
  private static final Logger LOG = LogManager.getLogger();

  /** Largest key file we read, matching the private-key protobuf bound. */
  static final int MAX_FILE_BYTES = KeyCodec.MAX_PRIVATE_KEY_BYTES;

  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final Set<PosixFilePermission> NOT_OWNER =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private KeyFile() {}

  /**
   * Loads the key in {@code file}, or creates a new Ed25519 key there (and any missing parent
   * directories) if the file does not exist.
   *
   * @throws IOException if the file cannot be read or written, or holds no valid key
   */
  public static PrivateKey loadOrCreate(Path file) throws IOException {
    if (!Files.notExists(file, LinkOption.NOFOLLOW_LINKS)) {
      return load(file); // also a dangling symlink, which load reports rather than replaces
    }
    Ed25519PrivateKey key = Ed25519PrivateKey.generate();
    write(file, key);
    LOG.info(
        "created identity key file {} for peer {}", file, PeerId.fromPublicKey(key.publicKey()));
    return key;
  }

  /**
   * Loads the key in {@code file}.
   *
   * @throws NoSuchFileException if there is no such file
   * @throws IOException if it cannot be read or does not hold a valid key we support
   */
  public static PrivateKey load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      if (!Files.exists(file)) {
        throw new NoSuchFileException(file.toString());
      }
      throw new IOException("identity key file " + file + " is not a regular file");
    }
    warnIfOthersMayAccess(file);
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new IOException(
          "identity key file " + file + " is corrupt: " + size + " bytes, expected a key protobuf");
    }
    byte[] bytes = Files.readAllBytes(file);
    try {
      return PrivateKey.decode(bytes);
    } catch (ProtocolException e) {
      // The message names the structural fault only; the key bytes never reach it.
      throw new IOException(
          "identity key file " + file + " is corrupt or unsupported: " + e.getMessage(), e);
    }
  }

  /**
   * Writes a key file atomically with owner-only permissions.
   *
   * @throws FileAlreadyExistsException if {@code file} exists: a key is never replaced
   */
  static void write(Path file, PrivateKey key) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    boolean posix = posix(dir != null ? existingAncestor(dir) : target);
    if (dir != null) {
      if (posix) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(ownerOnlyDirectory()));
      } else {
        Files.createDirectories(dir);
      }
    }
    FileAttribute<?>[] attrs =
        posix
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
            : new FileAttribute<?>[0];
    // Created with its permissions in one step, so the key is never readable by others.
    Path tmp = Files.createTempFile(dir, target.getFileName() + ".", ".tmp", attrs);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(key.encode());
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      // Not atomic against a concurrent creator; two nodes must not share a data directory.
      if (!Files.notExists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(target.toString());
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    syncDirectory(dir);
  }

  private static void warnIfOthersMayAccess(Path file) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    Set<PosixFilePermission> perms = view.readAttributes().permissions();
    if (perms.stream().anyMatch(NOT_OWNER::contains)) {
      LOG.warn(
          "identity key file {} is accessible to group or others ({}); run chmod 600 on it",
          file,
          PosixFilePermissions.toString(perms));
    }
  }

  private static boolean posix(Path existing) throws IOException {
    return Files.getFileStore(existing).supportsFileAttributeView(PosixFileAttributeView.class);
  }

  private static Path existingAncestor(Path dir) {
    Path p = dir;
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    return p != null ? p : dir;
  }

  private static Set<PosixFilePermission> ownerOnlyDirectory() {
    Set<PosixFilePermission> perms = EnumSet.copyOf(OWNER_ONLY);
    perms.add(PosixFilePermission.OWNER_EXECUTE);
    return perms;
  }

  /** Makes the rename durable; some platforms cannot open a directory, which is fine. */
  private static void syncDirectory(Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      LOG.trace("cannot fsync directory {}: {}", dir, e.toString());
    }
  }
}
