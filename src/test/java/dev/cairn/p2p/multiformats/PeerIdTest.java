package dev.cairn.p2p.multiformats;

import static dev.cairn.p2p.crypto.SpecVectors.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.crypto.Secp256k1PrivateKey;
import dev.cairn.p2p.crypto.SpecVectors;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PeerIdTest {
  // Computed from the peer-ids.md key vectors, and confirmed independently (Python hashlib).
  private static final String ED25519_ID = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
  private static final String ED25519_CID =
      "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6";
  private static final String SECP256K1_ID =
      "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY";
  private static final String ECDSA_ID = "QmVMT29id3TUASyfZZ6k9hmNyc2nYabCo4uMSpDw4zrgDk";

  @Test
  void ed25519SpecKeyGivesItsIdentityPeerId() throws Exception {
    PublicKey key = PublicKey.decode(bytes(SpecVectors.ED25519_PUBLIC));
    PeerId id = PeerId.fromPublicKey(key);
    assertThat(HexFormat.of().formatHex(id.bytes())).isEqualTo("0024" + SpecVectors.ED25519_PUBLIC);
    assertThat(id.toBase58()).isEqualTo(ED25519_ID);
    assertThat(id.toString()).isEqualTo(ED25519_ID);
    assertThat(id.toCid()).isEqualTo(ED25519_CID);
    assertThat(id.multihash().code()).isEqualTo(Multihash.IDENTITY);
    assertThat(id.publicKey()).contains(key);
    assertThat(id.matches(key)).isTrue();
  }

  @Test
  void secp256k1SpecKeyGivesItsIdentityPeerId() throws Exception {
    PublicKey key = PublicKey.decode(bytes(SpecVectors.SECP256K1_PUBLIC));
    PeerId id = PeerId.fromPublicKey(key);
    assertThat(id.toBase58()).isEqualTo(SECP256K1_ID);
    assertThat(id.publicKey()).contains(key);
    assertThat(PeerId.parse(SECP256K1_ID)).isEqualTo(id);
    assertThat(PeerId.parse(id.toCid())).isEqualTo(id);
  }

  @Test
  void ecdsaSpecKeyGivesASha256PeerId() throws Exception {
    PublicKey key = PublicKey.decode(bytes(SpecVectors.ECDSA_PUBLIC));
    assertThat(key.encode()).hasSize(95);
    PeerId id = PeerId.fromPublicKey(key);
    assertThat(id.toBase58()).isEqualTo(ECDSA_ID);
    assertThat(id.multihash().code()).isEqualTo(Multihash.SHA2_256);
    assertThat(id.publicKey()).isEmpty();
    assertThat(id.matches(key)).isTrue();
  }

  @Test
  void rsaSpecKeyGivesASha256PeerId() throws Exception {
    PeerId id = PeerId.fromPublicKey(PublicKey.decode(bytes(SpecVectors.RSA_PUBLIC)));
    assertThat(id.toBase58()).startsWith("Qm").hasSize(46);
    assertThat(PeerId.parse(id.toBase58())).isEqualTo(id);
  }

  @Test
  void parsesBothTextFormsOfTheSameId() {
    PeerId legacy = PeerId.parse(ED25519_ID);
    PeerId cid = PeerId.parse(ED25519_CID);
    assertThat(cid).isEqualTo(legacy);
    assertThat(PeerId.parse("z" + Base58.encode(cidBytes(legacy)))).isEqualTo(legacy);
  }

  @Test
  void parsesTheSpecExamples() {
    PeerId sha = PeerId.parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
    assertThat(sha.multihash().code()).isEqualTo(Multihash.SHA2_256);
    assertThat(sha.toBase58()).isEqualTo("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");

    PeerId ed = PeerId.parse("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA");
    assertThat(ed.multihash().code()).isEqualTo(Multihash.IDENTITY);
    assertThat(ed.publicKey()).isPresent();

    PeerId fromCid = PeerId.parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
    assertThat(fromCid.multihash().code()).isEqualTo(Multihash.SHA2_256);
    assertThat(fromCid.toCid())
        .isEqualTo("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  }

  @Test
  void generatedKeysRoundTripThroughBytesAndText() throws Exception {
    for (PublicKey key :
        new PublicKey[] {
          Ed25519PrivateKey.generate().publicKey(), Secp256k1PrivateKey.generate().publicKey()
        }) {
      PeerId id = PeerId.fromPublicKey(key);
      assertThat(PeerId.decode(id.bytes())).isEqualTo(id);
      assertThat(PeerId.parse(id.toBase58())).isEqualTo(id);
      assertThat(PeerId.parse(id.toCid())).isEqualTo(id);
      assertThat(id.shortString()).hasSize(6);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "x12D3KooW",
        "Qm",
        "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5", // one character short
        "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p0", // '0' is not base58
        "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi" // a dag-pb CID, not a key
      })
  void rejectsTextThatIsNotAPeerId(String text) {
    assertThatThrownBy(() -> PeerId.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsIdentityIdsThatDoNotHoldAKey() {
    byte[] id = PeerId.parse(ED25519_ID).bytes();
    byte[] badKey = id.clone();
    badKey[3] = 9; // unknown key type inside the identity multihash
    assertThatThrownBy(() -> PeerId.decode(badKey)).isInstanceOf(ProtocolException.class);
    byte[] truncated = Arrays.copyOf(id, id.length - 1);
    assertThatThrownBy(() -> PeerId.decode(truncated)).isInstanceOf(ProtocolException.class);
  }

  private static byte[] cidBytes(PeerId id) {
    byte[] mh = id.bytes();
    byte[] cid = new byte[mh.length + 2];
    cid[0] = 0x01;
    cid[1] = 0x72;
    System.arraycopy(mh, 0, cid, 2, mh.length);
    return cid;
  }
}
