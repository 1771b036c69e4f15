/**
 * identify and identify push (<a
 * href="https://github.com/libp2p/specs/blob/master/identify/README.md">spec</a>).
 *
 * <p>Deviations: we read up to 10 messages of up to 64 KiB each and merge them; listen addresses we
 * cannot parse are skipped; we do not send a signed peer record yet.
 */
package dev.cairn.p2p.identify;
