package dev.cairn.owner;

/**
 * A record whose withers copy it through {@link RecordCopy}: implementing this gives it {@link
 * #copy()}, so that each config record (chain, p2p and node alike) does not write the same
 * copy-builder method again. A wither reads {@code return copy().set("name", value).build();}.
 *
 * @param <R> the record itself
 */
public interface Copyable<R extends Record> {
  /** A copy-builder that starts from this record with all its components. */
  @SuppressWarnings("unchecked")
  default RecordCopy<R> copy() {
    return RecordCopy.of((R) this);
  }
}
