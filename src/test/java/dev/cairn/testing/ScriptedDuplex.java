package dev.cairn.testing;

import dev.cairn.p2p.transport.Duplex;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;

/** A duplex that reads a fixed script and records what is written and whether it was closed. */
public final class ScriptedDuplex implements Duplex {
  private final InputStream in;
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private volatile boolean closed;

  public ScriptedDuplex(InputStream in) {
    this.in = in;
  }

  @Override
  public InputStream in() {
    return in;
  }

  @Override
  public OutputStream out() {
    return written;
  }

  public byte[] written() {
    return written.toByteArray();
  }

  public boolean closed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
  }
}
