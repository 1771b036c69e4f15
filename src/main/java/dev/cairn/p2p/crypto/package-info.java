/**
 * Identity keys and their libp2p protobuf form, after <a
 * href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md">peer-ids.md</a>.
 *
 * <p>Supported: Ed25519 (public and private), secp256k1 (public and private), ECDSA and RSA (public
 * only: we verify with them, we never create them). Key protobufs are hand-coded ({@code KeyCodec})
 * because peer ids hash their exact bytes. {@link dev.cairn.p2p.crypto.KeyFile} stores the node's
 * own key.
 *
 * <p>Choices and deviations:
 *
 * <ul>
 *   <li>Every decoded public key re-encodes to exactly the bytes received. So secp256k1 keys must
 *       be 33-byte compressed points (go and js also take 65-byte uncompressed points and re-encode
 *       them), and ECDSA/RSA keys must be canonical DER.
 *   <li>secp256k1 and ECDSA signatures must be strict DER; high-S values are accepted (as in
 *       go-libp2p). We sign with RFC 6979 nonces and low S.
 *   <li>ECDSA keys must be on P-256; RSA moduli must have 2048 to 8192 bits (as in go-libp2p).
 *   <li>Key protobuf fields may come in either order, but each exactly once and nothing else.
 *   <li>{@code verify} never throws: bad keys are rejected when decoded, bad signatures give false.
 * </ul>
 */
package dev.cairn.p2p.crypto;
