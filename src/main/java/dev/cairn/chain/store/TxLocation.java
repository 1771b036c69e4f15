package dev.cairn.chain.store;

import dev.cairn.chain.model.Hash;

/** Where a transaction of the canonical chain is: its block and its index in that block. */
public record TxLocation(Hash block, int index) {}
