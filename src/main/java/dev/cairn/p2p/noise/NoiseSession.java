package dev.cairn.p2p.noise;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.transport.Duplex;
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
 * <p>Writing: {@link #out()} buffers and emits a message when its buffer holds the maximum
 * plaintext ({@value NoiseCodec#MAX_PLAINTEXT} bytes), when a large array is written (encrypted
 * straight from the caller's array, in maximal messages) and on {@code flush()}, which then flushes
 * the layer below. Reading: {@link #in()} decrypts message by message and accepts any message size
 * up to 65535.
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

  /** The reading side. Confined to the connection's reader thread. */
  private final class DecryptingInput extends InputStream {
    private final InputStream below;
    private final CipherState receiver;
    private final byte[] header = new byte[2];
    // Both grow to the largest message seen (at most 64 KiB each), so an idle or chatty connection
    // holds a few KiB instead of 128 KiB: that is what lets a host keep thousands of connections.
    private byte[] ciphertext = EMPTY;
    private byte[] plaintext = EMPTY;
    private int position;
    private int limit;
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
      while (position == limit) {
        if (eof) {
          return -1;
        }
        int direct = nextMessage(b, off, len);
        if (direct > 0) {
          return direct;
        }
      }
      int n = Math.min(len, limit - position);
      System.arraycopy(plaintext, position, b, off, n);
      position += n;
      return n;
    }

    @Override
    public int available() {
      return limit - position;
    }

    /**
     * Reads and decrypts the next message. When its plaintext fits, it goes straight into the
     * caller's array and the count is returned; otherwise into our buffer and 0 is returned. At end
     * of stream sets {@link #eof} and returns 0.
     */
    private int nextMessage(byte[] b, int off, int len) throws IOException {
      if (failure != null) {
        throw new IOException(failure.getMessage(), failure);
      }
      if (closed) {
        throw new IOException("noise session closed");
      }
      int got = below.readNBytes(header, 0, 2);
      if (got == 0) {
        eof = true;
        return 0;
      }
      try {
        if (got < 2) {
          throw ProtocolException.connection(
              Reason.TRUNCATED, "noise: stream ended inside a message length");
        }
        int size = ((header[0] & 0xff) << 8) | (header[1] & 0xff);
        if (size < CipherState.TAG_LEN) {
          throw ProtocolException.connection(
              Reason.MALFORMED, "noise: transport message of " + size + " bytes has no tag");
        }
        if (ciphertext.length < size) {
          ciphertext = new byte[grown(ciphertext.length, size, NoiseCodec.MAX_MESSAGE)];
        }
        int body = below.readNBytes(ciphertext, 0, size);
        if (body < size) {
          throw ProtocolException.connection(
              Reason.TRUNCATED, "noise: stream ended after " + body + " of " + size + " bytes");
        }
        int plainSize = size - CipherState.TAG_LEN;
        if (plainSize <= len) {
          return receiver.decrypt(NO_AD, ciphertext, 0, size, b, off);
        }
        if (plaintext.length < plainSize) {
          plaintext = new byte[grown(plaintext.length, plainSize, NoiseCodec.MAX_PLAINTEXT)];
        }
        limit = receiver.decrypt(NO_AD, ciphertext, 0, size, plaintext, 0);
        position = 0;
        return 0;
      } catch (ProtocolException e) {
        failure = e;
        throw fail(e);
      }
    }

    @Override
    public void close() throws IOException {
      below.close();
    }
  }

  /** The writing side. Confined to whichever writer the caller serialises. */
  private final class EncryptingOutput extends OutputStream {
    private final OutputStream below;
    private final CipherState sender;
    // Grow on demand, as on the reading side; a message is emitted when MAX_PLAINTEXT is buffered.
    private byte[] buffer = EMPTY;
    private byte[] frame = EMPTY;
    private int buffered;

    EncryptingOutput(OutputStream below, CipherState sender) {
      this.below = below;
      this.sender = sender;
    }

    @Override
    public void write(int b) throws IOException {
      ensureOpen();
      if (buffered == NoiseCodec.MAX_PLAINTEXT) {
        emit(buffer, 0, buffered);
        buffered = 0;
      }
      reserve(buffered + 1);
      buffer[buffered++] = (byte) b;
    }

    private void reserve(int needed) {
      if (buffer.length < needed) {
        buffer =
            java.util.Arrays.copyOf(buffer, grown(buffer.length, needed, NoiseCodec.MAX_PLAINTEXT));
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      ensureOpen();
      while (len > 0) {
        if (buffered == 0 && len >= NoiseCodec.MAX_PLAINTEXT) {
          // A whole message straight from the caller's array, no copy into our buffer.
          emit(b, off, NoiseCodec.MAX_PLAINTEXT);
          off += NoiseCodec.MAX_PLAINTEXT;
          len -= NoiseCodec.MAX_PLAINTEXT;
          continue;
        }
        int n = Math.min(len, NoiseCodec.MAX_PLAINTEXT - buffered);
        reserve(buffered + n);
        System.arraycopy(b, off, buffer, buffered, n);
        buffered += n;
        off += n;
        len -= n;
        if (buffered == NoiseCodec.MAX_PLAINTEXT) {
          emit(buffer, 0, buffered);
          buffered = 0;
        }
      }
    }

    @Override
    public void flush() throws IOException {
      if (buffered > 0) {
        emit(buffer, 0, buffered);
        buffered = 0;
      }
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

    private void emit(byte[] b, int off, int len) throws IOException {
      ensureOpen();
      if (frame.length < 2 + len + CipherState.TAG_LEN) {
        frame =
            new byte
                [2 + grown(frame.length - 2, len + CipherState.TAG_LEN, NoiseCodec.MAX_MESSAGE)];
      }
      int size = sender.encrypt(NO_AD, b, off, len, frame, 2);
      frame[0] = (byte) (size >>> 8);
      frame[1] = (byte) size;
      below.write(frame, 0, 2 + size);
    }
  }
}
