package dev.cairn.p2p.noise;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.transport.Duplex;
import dev.cairn.p2p.transport.ReadBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * An authenticated, encrypted {@link Duplex} over an insecure one, produced by {@link
 * NoiseHandshake}. Every transport message is a 2-byte big-endian length followed by
 * ChaCha20-Poly1305 ciphertext and tag, with empty associated data.
 *
 * <p>Writing: {@link #out()} encrypts as it is written and ends a message when it holds the maximum
 * plaintext ({@value NoiseCodec#MAX_PLAINTEXT} bytes) and on {@code flush()}, which then writes the
 * ended messages and flushes the layer below. Reading: {@link #in()} reads up to two maximal
 * messages per read below, decrypts message by message in place and accepts any message size up to
 * 65535.
 *
 * <p>Threading: as for every {@code Duplex}, one thread reads and writers are serialised by the
 * caller (the muxer). The two directions share no mutable state, so reading and writing run
 * concurrently; each direction's cipher is confined to its side. {@link #close()} may be called
 * from any thread.
 *
 * <p>Errors: a message whose tag does not verify, a message shorter than a tag, or a stream that
 * ends inside a message closes the underlying connection and makes {@code read} throw an {@link
 * IOException} whose {@linkplain IOException#getCause() cause} is a connection-scoped {@link
 * ProtocolException} ({@link Reason#BAD_SIGNATURE}, {@link Reason#MALFORMED} or {@link
 * Reason#TRUNCATED}); see {@link #protocolFailure(IOException)}. End of stream at a message
 * boundary is a normal {@code -1}.
 */
public final class NoiseSession implements Duplex {
  private static final Logger LOG = LogManager.getLogger();
  private static final byte[] NO_AD = new byte[0];
  private static final byte[] EMPTY = new byte[0];
  private static final int MIN_BUFFER = 1024;

  private final Duplex insecure;
  private final PeerId remotePeer;
  private final PublicKey remoteKey;
  private final Optional<String> earlyMuxer;
  private final byte[] handshakeHash;
  private final DecryptingInput input;
  private final EncryptingOutput output;
  private volatile boolean closed;

  NoiseSession(
      Duplex insecure,
      CipherState sender,
      CipherState receiver,
      PublicKey remoteKey,
      Optional<String> earlyMuxer,
      byte[] handshakeHash) {
    this.insecure = insecure;
    this.remoteKey = remoteKey;
    this.remotePeer = PeerId.fromPublicKey(remoteKey);
    this.earlyMuxer = earlyMuxer;
    this.handshakeHash = handshakeHash.clone();
    this.input = new DecryptingInput(insecure.in(), receiver);
    this.output = new EncryptingOutput(insecure.out(), sender);
  }

  /** The authenticated remote peer. */
  public PeerId remotePeer() {
    return remotePeer;
  }

  /** The remote identity key, whose signature over the Noise static key was verified. */
  public PublicKey remoteKey() {
    return remoteKey;
  }

  /**
   * The stream muxer agreed inside the handshake (inlined muxer negotiation); present only when
   * both sides offered a list. When present, the caller starts that muxer directly and skips the
   * multistream-select muxer round; when empty it runs multistream-select as usual.
   */
  public Optional<String> earlyMuxer() {
    return earlyMuxer;
  }

  /** The final handshake hash {@code h}, a channel-binding value identical on both sides. */
  byte[] handshakeHash() {
    return handshakeHash.clone();
  }

  @Override
  public InputStream in() {
    return input;
  }

  @Override
  public OutputStream out() {
    return output;
  }

  /** Noise waits only where the connection below does. */
  @Override
  public boolean whenReadWouldBlock(Runnable hook) {
    return insecure.whenReadWouldBlock(hook);
  }

  @Override
  public void close() throws IOException {
    closed = true;
    insecure.close();
  }

  /** A buffer size of at least {@code needed}: double the current one, within [1 KiB, max]. */
  private static int grown(int current, int needed, int max) {
    return Math.min(max, Math.max(needed, Math.max(MIN_BUFFER, 2 * current)));
  }

  /**
   * The protocol violation behind a failed read or write, if that is what it was; empty for a plain
   * I/O failure. For the connection's top-level error handling.
   */
  public static Optional<ProtocolException> protocolFailure(IOException e) {
    return e.getCause() instanceof ProtocolException pe ? Optional.of(pe) : Optional.empty();
  }

  private IOException fail(ProtocolException cause) {
    LOG.debug("noise session with {} failed: {}", remotePeer.shortString(), cause.getMessage());
    try {
      close();
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
    return new IOException(cause.getMessage(), cause);
  }

  /**
   * The reading side. Confined to the connection's reader thread.
   *
   * <p>Ciphertext is read from below into {@link #buffer} as much at a time as it holds (up to two
   * maximal messages, so a busy connection moves one or two messages per system call), and each
   * message is decrypted in place there: a message's bytes are copied once, when the caller takes
   * its plaintext. A caller that asks for at least a whole message's plaintext gets it decrypted
   * straight into its array instead. The length prefix bounds a message before anything is
   * allocated for it: at most {@value NoiseCodec#MAX_MESSAGE} bytes by construction (2 bytes).
   */
  private final class DecryptingInput extends InputStream {
    /** Two maximal messages with their length prefixes. */
    private static final int BUFFER_LIMIT = 2 * (2 + NoiseCodec.MAX_MESSAGE);

    private final InputStream below;
    private final CipherState receiver;
    // [start, end): bytes read from below and not yet taken as a message. plain: the decrypted
    // plaintext of the current message, inside the buffer before start. Grows to what the
    // messages need (see fill), so an idle or chatty connection holds a few KiB instead of
    // 128 KiB: that is what lets a host keep thousands of connections.
    private byte[] buffer = EMPTY;
    private int start;
    private int end;
    private final ReadBuffer plain = new ReadBuffer();
    private boolean eof;
    private ProtocolException failure;

    DecryptingInput(InputStream below, CipherState receiver) {
      this.below = below;
      this.receiver = receiver;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      while (plain.remaining() == 0) {
        if (eof) {
          return -1;
        }
        int direct = nextMessage(b, off, len);
        if (direct > 0) {
          return direct;
        }
      }
      return plain.take(b, off, len);
    }

    /**
     * Plaintext decrypted and not yet read, plus that of the next message if it has arrived whole:
     * what can be read without blocking. Never asks the connection (the muxer calls this before
     * every frame).
     */
    @Override
    public int available() {
      int ready = plain.remaining();
      if (end - start >= 2) {
        int size = ((buffer[start] & 0xff) << 8) | (buffer[start + 1] & 0xff);
        if (size >= CipherState.TAG_LEN && end - start >= 2 + size) {
          ready += size - CipherState.TAG_LEN;
        }
      }
      return ready;
    }

    /**
     * Reads and decrypts the next message. When its plaintext fits, it goes straight into the
     * caller's array and the count is returned; otherwise it is decrypted in place and 0 is
     * returned. At end of stream sets {@link #eof} and returns 0.
     */
    private int nextMessage(byte[] b, int off, int len) throws IOException {
      if (failure != null) {
        throw new IOException(failure.getMessage(), failure);
      }
      if (closed) {
        throw new IOException("noise session closed");
      }
      try {
        if (!fill(2)) {
          if (end == start) {
            eof = true;
            return 0;
          }
          throw ProtocolException.connection(
              Reason.TRUNCATED, "noise: stream ended inside a message length");
        }
        int size = ((buffer[start] & 0xff) << 8) | (buffer[start + 1] & 0xff);
        if (size < CipherState.TAG_LEN) {
          throw ProtocolException.connection(
              Reason.MALFORMED, "noise: transport message of " + size + " bytes has no tag");
        }
        if (!fill(2 + size)) {
          throw ProtocolException.connection(
              Reason.TRUNCATED,
              "noise: stream ended after " + (end - start - 2) + " of " + size + " bytes");
        }
        int at = start + 2;
        start = at + size;
        if (size - CipherState.TAG_LEN <= len) {
          return receiver.decrypt(NO_AD, buffer, at, size, b, off);
        }
        plain.set(buffer, at, at + receiver.decrypt(NO_AD, buffer, at, size, buffer, at));
        return 0;
      } catch (ProtocolException e) {
        failure = e;
        throw fail(e);
      }
    }

    /**
     * Makes {@code need} bytes from {@link #start} available, reading from below as much as the
     * buffer takes; false if the stream ended first. Only called once the plaintext is consumed, so
     * moving the unread bytes to the front loses nothing.
     */
    private boolean fill(int need) throws IOException {
      int have = end - start;
      if (have >= need) {
        return true;
      }
      if (have == 0) {
        start = end = 0;
      }
      if (buffer.length - start < need) {
        // Grown, room for two such messages, so that a run of maximal ones is read two at a time.
        byte[] target =
            buffer.length < need ? new byte[grown(buffer.length, 2 * need, BUFFER_LIMIT)] : buffer;
        System.arraycopy(buffer, start, target, 0, have);
        buffer = target;
        start = 0;
        end = have;
      }
      plain.set(buffer, start, start);
      while (end - start < need) {
        int n = below.read(buffer, end, buffer.length - end);
        if (n < 0) {
          return false;
        }
        end += n;
      }
      return true;
    }

    @Override
    public void close() throws IOException {
      below.close();
    }
  }

  /**
   * The writing side. Confined to whichever writer the caller serialises.
   *
   * <p>Bytes are encrypted as they are written, straight from the caller's array into {@link
   * #frames} behind a 2-byte length slot, so a plaintext byte is never copied before encryption. A
   * message ends when it holds {@value NoiseCodec#MAX_PLAINTEXT} bytes or on {@code flush()}; its
   * tag and length are written then. An ended message waits in {@link #frames} for the next one or
   * for {@code flush()}: two messages go to the socket in one system call when together they are at
   * most 128 KiB (what the JDK's socket writes in one call), so a 64 KiB write (one full message
   * plus a short one) costs one call instead of two. Messages stay maximal.
   */
  private final class EncryptingOutput extends OutputStream {
    /** Two maximal messages with their length prefixes. */
    private static final int FRAMES_LIMIT = 2 * (2 + NoiseCodec.MAX_MESSAGE);

    /** The most one socket write carries: NioSocketImpl splits larger writes into two calls. */
    private static final int SOCKET_WRITE = 128 * 1024;

    private final OutputStream below;
    private final CipherState sender;
    private final byte[] one = new byte[1];
    // [0, pending): ended messages not yet written below. While a message is open (open >= 0) its
    // length slot is at [pending, pending + 2) and its ciphertext so far (open bytes) follows.
    // Grows on demand up to FRAMES_LIMIT, so an idle or chatty connection holds little.
    private byte[] frames = EMPTY;
    private int pending;
    private int open = -1;

    EncryptingOutput(OutputStream below, CipherState sender) {
      this.below = below;
      this.sender = sender;
    }

    @Override
    public void write(int b) throws IOException {
      one[0] = (byte) b;
      write(one, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      ensureOpen();
      while (len > 0) {
        if (open < 0) {
          begin();
        }
        int n = Math.min(len, NoiseCodec.MAX_PLAINTEXT - open);
        int at = pending + 2 + open;
        reserve(at + n + CipherState.TAG_LEN);
        sender.encryptUpdate(b, off, n, frames, at);
        open += n;
        off += n;
        len -= n;
        if (open == NoiseCodec.MAX_PLAINTEXT) {
          end();
        }
      }
    }

    @Override
    public void flush() throws IOException {
      if (open >= 0) {
        end();
      }
      writePending();
      below.flush();
    }

    /** Flushes what is buffered and closes our writing direction below. */
    @Override
    public void close() throws IOException {
      if (!closed) {
        flush();
      }
      below.close();
    }

    private void ensureOpen() throws IOException {
      if (closed) {
        throw new IOException("noise session closed");
      }
    }

    /** Opens a message, first writing the ended ones if a maximal message might not fit. */
    private void begin() throws IOException {
      if (pending + 2 + NoiseCodec.MAX_MESSAGE > FRAMES_LIMIT) {
        writePending();
      }
      sender.beginEncrypt();
      open = 0;
    }

    /**
     * Ends the open message: its tag, then its length in the slot before it. If it and the one
     * before it are too much for one socket write, both are written now, in two.
     */
    private void end() throws IOException {
      int start = pending;
      int at = start + 2 + open;
      reserve(at + CipherState.TAG_LEN);
      int size = open + sender.encryptFinish(frames, at);
      frames[start] = (byte) (size >>> 8);
      frames[start + 1] = (byte) size;
      open = -1;
      pending = start + 2 + size;
      if (start > 0 && pending > SOCKET_WRITE) {
        ensureOpen();
        below.write(frames, 0, start);
        below.write(frames, start, 2 + size);
        pending = 0;
      }
    }

    private void writePending() throws IOException {
      if (pending > 0) {
        ensureOpen();
        below.write(frames, 0, pending);
        pending = 0;
      }
    }

    private void reserve(int needed) {
      if (frames.length < needed) {
        frames = java.util.Arrays.copyOf(frames, grown(frames.length, needed, FRAMES_LIMIT));
      }
    }
  }
}
