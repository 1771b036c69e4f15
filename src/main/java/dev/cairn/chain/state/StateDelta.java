package dev.cairn.chain.state;

import dev.cairn.chain.model.Address;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The new value of every account a block touched, in the order first touched. A store writes these
 * puts in the same batch as the block; accounts are never deleted by a block.
 */
public record StateDelta(Map<Address, Account> writes) {
  /** Copies the map, keeping its order. */
  public StateDelta {
    writes = Collections.unmodifiableMap(new LinkedHashMap<>(writes));
  }
}
