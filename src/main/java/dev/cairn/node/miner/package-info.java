/** The mining loop on top of the chain service: see {@link dev.cairn.node.miner.Miner}. */
package dev.cairn.node.miner;
