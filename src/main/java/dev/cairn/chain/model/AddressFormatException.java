package dev.cairn.chain.model;

/** Address text that cannot be parsed; the message says why in words a user understands. */
public final class AddressFormatException extends Exception {
  /** With a message for the user. */
  public AddressFormatException(String message) {
    super(message);
  }
}
