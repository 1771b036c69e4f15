/**
 * Consensus rules as pure functions: proof of work and the nonce search ({@link
 * dev.cairn.chain.consensus.ProofOfWork}), compact targets and work ({@link
 * dev.cairn.chain.consensus.CompactTarget}), ASERT retargeting ({@link
 * dev.cairn.chain.consensus.Difficulty}), header and body validation ({@link
 * dev.cairn.chain.consensus.BlockValidator}) with one {@link
 * dev.cairn.chain.consensus.RejectReason} per rule, fork choice by cumulative work and reorg
 * planning, and the network files ({@link dev.cairn.chain.consensus.GenesisFile}). Nothing here
 * holds state or threads. Specification: docs/PROTOCOL.md.
 */
package dev.cairn.chain.consensus;
