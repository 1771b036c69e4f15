package dev.cairn.node.wallet;

import java.io.IOException;

/** A keystore did not open: the passphrase is wrong (or its encrypted part was altered). */
public final class WrongPassphraseException extends IOException {
  private static final long serialVersionUID = 1L;

  public WrongPassphraseException() {
    super("wrong passphrase");
  }
}
