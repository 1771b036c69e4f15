package dev.cairn.chain.state;

import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Hash;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What undoes one block: the value each touched account had before it, or empty if the block
 * created the account (undo deletes it). Same keys as the block's {@link StateDelta}.
 *
 * @param block hash of the block this undoes
 * @param previous account before the block, per touched address, in the order first touched
 */
public record Undo(Hash block, Map<Address, Optional<Account>> previous) {
  /** Copies the map, keeping its order. */
  public Undo {
    previous = Collections.unmodifiableMap(new LinkedHashMap<>(previous));
  }
}
