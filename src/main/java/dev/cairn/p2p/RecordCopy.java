package dev.cairn.p2p;

/**
 * The old name of {@link dev.cairn.owner.RecordCopy}, kept only while the p2p config records of the
 * packages other branches are editing (gossip, host, reqresp, yamux) still import it; once they
 * import {@code dev.cairn.owner.RecordCopy} this class goes.
 *
 * @param <R> the record type
 */
public final class RecordCopy<R extends Record> extends dev.cairn.owner.RecordCopy<R> {
  private RecordCopy(R original) {
    super(original);
  }

  /** Starts a copy of {@code record} with all its components. */
  public static <R extends Record> RecordCopy<R> of(R record) {
    return new RecordCopy<>(record);
  }
}
