/**
 * multistream-select 1.0 (<a href="https://github.com/multiformats/multistream-select">spec</a>),
 * used to pick the security protocol, the muxer and each stream's application protocol.
 *
 * <p>Deviations: exact string matching only; {@code ls} is answered with our list (it is optional);
 * the simultaneous-open extension is not implemented (it is deprecated) and is answered {@code na};
 * a listener gives up after 32 declined proposals.
 */
package dev.cairn.p2p.multistream;
