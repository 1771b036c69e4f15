package dev.cairn.testing;

import dev.cairn.p2p.transport.Duplex;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A duplex that reads a fixed script and records what is written and whether it was closed.
 *
 * @param in the script
 * @param out what was written
 * @param closedFlag set by {@link #close()}
 */
public record ScriptedDuplex(InputStream in, ByteArrayOutputStream out, AtomicBoolean closedFlag)
    implements Duplex {

  /** Reads {@code in}, records what is written. */
  public ScriptedDuplex(InputStream in) {
    this(in, new ByteArrayOutputStream(), new AtomicBoolean());
  }

  public byte[] written() {
    return out.toByteArray();
  }

  public boolean closed() {
    return closedFlag.get();
  }

  @Override
  public void close() {
    closedFlag.set(true);
  }
}
