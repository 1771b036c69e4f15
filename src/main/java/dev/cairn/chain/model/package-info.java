/**
 * Chain data: {@link dev.cairn.chain.model.Hash}, {@link dev.cairn.chain.model.Address} (Bech32m
 * text, BIP-350), {@link dev.cairn.chain.model.Transaction}, {@link
 * dev.cairn.chain.model.BlockHeader}, {@link dev.cairn.chain.model.Block}, and their canonical
 * consensus bytes in {@link dev.cairn.chain.model.ChainCodec}. Immutable records, safe to share
 * between threads. Specification: docs/PROTOCOL.md. Deviation from the first plan: a transaction id
 * covers the signature (PROTOCOL.md says why).
 */
package dev.cairn.chain.model;
