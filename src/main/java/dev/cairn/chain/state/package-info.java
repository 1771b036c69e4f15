/**
 * Account state (balance, nonce) and the block state transition: {@link
 * dev.cairn.chain.state.StateTransition} reads through an {@link
 * dev.cairn.chain.state.AccountReader} and returns a {@link dev.cairn.chain.state.StateDelta} with
 * its {@link dev.cairn.chain.state.Undo}; a store applies them in one write batch. {@link
 * dev.cairn.chain.state.InMemoryAccounts} is the immutable reference implementation.
 */
package dev.cairn.chain.state;
