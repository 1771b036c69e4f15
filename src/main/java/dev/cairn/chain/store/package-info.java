/**
 * The RocksDB chain store ({@link dev.cairn.chain.store.ChainStore}): one column family per kind of
 * record, one atomic write batch per block import or reorg step.
 *
 * <p>Durability decision: batches that move the head are written with {@code sync=true} unless the
 * node is configured otherwise; a killed process (kill -9) never needs it, since RocksDB's
 * write-ahead log is in the OS page cache, but a power cut does. Either way a restart replays the
 * log up to whole batches, so the store reopens at a consistent head; {@code ChainState} checks the
 * canonical index and the supply on open and then finishes an interrupted reorg.
 */
package dev.cairn.chain.store;
