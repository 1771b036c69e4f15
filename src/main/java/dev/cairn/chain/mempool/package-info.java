/** The mempool, owned by the chain owner thread: see {@link dev.cairn.chain.mempool.Mempool}. */
package dev.cairn.chain.mempool;
