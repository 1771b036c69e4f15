package dev.cairn.chain.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.chain.consensus.GenesisFile;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.DecodeException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The test vectors of docs/PROTOCOL.md (cross-checked with Python's hashlib and cryptography). */
@Timeout(60)
class ChainCodecTest {
  static final HexFormat HEX = HexFormat.of();
  static final String TX =
      "0100000539025bb27cf3abc40f5db6e26c7f6b380a3e84672a3a154f11771cd5a3fb3c6c6c61553a4b56889676"
          + "d18844477f8e3fddffbfe53e0000000005f5e10000000000000003e800000000000000009bb81bc3146f1e8d"
          + "f36077913f68c8ec7b36f978377bf616cca836be4264a123d21fc9e9f09f851805f36f3837ab8972b09861a2"
          + "a138d4c966e73533a2020d09";
  static final String TX_ID = "e3d8f6d719b36de33fe749ae8db00b3915cdd5e345d76b0cbce5c3fd56cafc0b";
  static final String DEV_GENESIS =
      "00000001000000000000000000000000000000000000000000000000000000000000000000000000000000005d"
          + "d42c97f6e66ae0382db31de4b2d9101b2a19d9ff9b7a219fa2d13d589f94190000000000000000000000000000"
          + "000000000000000001a1fb6718001f0100000000000000000000";
  static final String DEV_GENESIS_HASH =
      "f5e90e17156be464d19a6afb24b445414ce4d7b64bee3fab5cf080e23f04584d";
  static final String BLOCK1 =
      "000000010000000000000001f5e90e17156be464d19a6afb24b445414ce4d7b64bee3fab5cf080e23f04584d83"
          + "253093830ee77a1d24cab209e648a2a196a94c423fa3b90c257d8b063e788261553a4b56889676d18844477f"
          + "8e3fddffbfe53e000001a1fb671fd01f010000000000000000eecf00000001"
          + TX;
  static final String BLOCK1_HASH =
      "000020432d54f15193b8b8d8c6d700263162302b1b2030d6e399ed4689b54789";

  static SigningKey devKey(int i) {
    return SigningKey.fromSeed(
        Hash.sha256(("cairn dev key " + i).getBytes(StandardCharsets.US_ASCII)).bytes());
  }

  @Test
  void transactionMatchesVector() throws Exception {
    Transaction tx =
        Transaction.signed(devKey(0), 1337, devKey(1).address(), 100_000_000L, 1000, 0);
    assertThat(HEX.formatHex(ChainCodec.encode(tx))).isEqualTo(TX);
    assertThat(tx.id().hex()).isEqualTo(TX_ID);
    assertThat(tx.hasValidSignature()).isTrue();
    Transaction decoded = ChainCodec.decodeTransaction(HEX.parseHex(TX));
    assertThat(decoded).isEqualTo(tx);
    assertThat(decoded.sender()).isEqualTo(devKey(0).address());
  }

  @Test
  void genesisAndBlockOneMatchVectors() throws Exception {
    NetworkParams net = GenesisFile.load("dev");
    assertThat(HEX.formatHex(ChainCodec.encode(net.genesisHeader()))).isEqualTo(DEV_GENESIS);
    assertThat(net.genesisHeader().hash().hex()).isEqualTo(DEV_GENESIS_HASH);
    Block b = ChainCodec.decodeBlock(HEX.parseHex(BLOCK1));
    assertThat(b.hash().hex()).isEqualTo(BLOCK1_HASH);
    assertThat(b.header().nonce()).isEqualTo(61135);
    assertThat(b.header().merkleRoot()).isEqualTo(b.computeMerkleRoot());
    assertThat(HEX.formatHex(ChainCodec.encode(b))).isEqualTo(BLOCK1);
    assertThat(HEX.formatHex(b.header().prefix())).isEqualTo(BLOCK1.substring(0, 216));
    // Block 1 is a valid dev block: header in context, body and state.
    var ctx =
        new dev.cairn.chain.consensus.HeaderContext(
            net.genesisHeader(),
            net.genesisTimestamp(),
            List.of(net.genesisTimestamp()),
            b.header().timestamp());
    var applied =
        dev.cairn.chain.state.StateTransition.validateAndApply(
            b, ctx, dev.cairn.chain.state.InMemoryAccounts.genesis(net), net);
    assertThat(applied).isInstanceOf(dev.cairn.chain.state.ApplyResult.Applied.class);
  }

  @Test
  void merkleRootsMatchRfc6962Vectors() {
    List<Hash> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(Hash.sha256(new byte[] {(byte) i}));
    }
    assertThat(Merkle.root(List.of()).hex())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(Merkle.root(ids.subList(0, 1)).hex())
        .isEqualTo("d9de27625445003d8a9739a851e3ff8d41c0683630b4d63a88327a6aaa37c409");
    assertThat(Merkle.root(ids.subList(0, 2)).hex())
        .isEqualTo("604d540f09268b91672ab011394d5266ccd7d4484d0d109411a55848126a1b2c");
    assertThat(Merkle.root(ids.subList(0, 3)).hex())
        .isEqualTo("d1f13800048f5909d4043fc0c152f6643280cba608b672715e56ce159a20629f");
    assertThat(Merkle.root(ids).hex())
        .isEqualTo("6b313b611b40676b9e1dfd70c4503f2379f88f0f1c2740fb7e1cacc32c113465");
    // No duplication trick: [a, b, c] and [a, b, c, c] differ.
    List<Hash> dup = new ArrayList<>(ids.subList(0, 3));
    dup.add(ids.get(2));
    assertThat(Merkle.root(dup)).isNotEqualTo(Merkle.root(ids.subList(0, 3)));
  }

  @Test
  void truncationAtEveryByteIsTruncated() {
    byte[] block = HEX.parseHex(BLOCK1);
    for (int n = 0; n < block.length; n++) {
      byte[] cut = Arrays.copyOf(block, n);
      assertThatThrownBy(() -> ChainCodec.decodeBlock(cut))
          .isInstanceOf(DecodeException.class)
          .extracting(e -> ((DecodeException) e).reason())
          .isEqualTo(Reason.TRUNCATED);
    }
    byte[] tx = HEX.parseHex(TX);
    for (int n = 0; n < tx.length; n++) {
      byte[] cut = Arrays.copyOf(tx, n);
      assertThatThrownBy(() -> ChainCodec.decodeTransaction(cut))
          .extracting(e -> ((DecodeException) e).reason())
          .isEqualTo(Reason.TRUNCATED);
    }
    for (int n = 0; n < 116; n++) {
      byte[] cut = Arrays.copyOf(block, n);
      assertThatThrownBy(() -> ChainCodec.decodeHeader(cut))
          .extracting(e -> ((DecodeException) e).reason())
          .isEqualTo(Reason.TRUNCATED);
    }
  }

  @Test
  void refusesTrailingBytes() {
    byte[] block = Arrays.copyOf(HEX.parseHex(BLOCK1), BLOCK1.length() / 2 + 1);
    assertReason(() -> ChainCodec.decodeBlock(block), Reason.TRAILING_BYTES);
    byte[] tx = Arrays.copyOf(HEX.parseHex(TX), 146);
    assertReason(() -> ChainCodec.decodeTransaction(tx), Reason.TRAILING_BYTES);
    byte[] header = Arrays.copyOf(HEX.parseHex(DEV_GENESIS), 117);
    assertReason(() -> ChainCodec.decodeHeader(header), Reason.TRAILING_BYTES);
  }

  @Test
  void refusesHugeDeclaredCountsBeforeAllocating() {
    for (int count : new int[] {-1, Integer.MAX_VALUE, Limits.MAX_TRANSACTIONS + 1, 1 << 24}) {
      byte[] b = HEX.parseHex(BLOCK1);
      ByteBuffer.wrap(b).putInt(116, count);
      assertReason(() -> ChainCodec.decodeBlock(b), Reason.TOO_MANY_ITEMS);
    }
    assertReason(
        () -> ChainCodec.decodeBlock(new byte[Limits.MAX_BLOCK_BYTES + 1]), Reason.TOO_LARGE);
    // A count that fits the limit but not the bytes present.
    byte[] b = HEX.parseHex(BLOCK1);
    ByteBuffer.wrap(b).putInt(116, 7_000);
    assertReason(() -> ChainCodec.decodeBlock(b), Reason.TRUNCATED);
  }

  @Test
  void refusesUnknownVersions() {
    byte[] tx = HEX.parseHex(TX);
    tx[0] = 2;
    assertReason(() -> ChainCodec.decodeTransaction(tx), Reason.UNSUPPORTED_VERSION);
    byte[] block = HEX.parseHex(BLOCK1);
    block[3] = 9;
    assertReason(() -> ChainCodec.decodeBlock(block), Reason.UNSUPPORTED_VERSION);
    byte[] inner = HEX.parseHex(BLOCK1);
    inner[120] = 0;
    assertReason(() -> ChainCodec.decodeBlock(inner), Reason.UNSUPPORTED_VERSION);
  }

  @Test
  void randomBytesNeverThrowAnythingButDecodeException() {
    Random r = new Random(1);
    byte[] valid = HEX.parseHex(BLOCK1);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = valid.clone();
      int flips = 1 + r.nextInt(4);
      for (int k = 0; k < flips; k++) {
        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
      }
      byte[] in = r.nextInt(10) == 0 ? Arrays.copyOf(b, r.nextInt(b.length + 20)) : b;
      try {
        Block d = ChainCodec.decodeBlock(in);
        assertThat(ChainCodec.encode(d)).isEqualTo(in);
      } catch (DecodeException expected) {
        // typed refusal is fine
      }
    }
  }

  @Test
  void roundTripsABlockAtTheLimit() throws Exception {
    SigningKey k = devKey(2);
    List<Transaction> txs = new ArrayList<>();
    Transaction t = Transaction.signed(k, 1, devKey(3).address(), 1, 1, 0);
    for (int i = 0; i < Limits.MAX_TRANSACTIONS; i++) {
      txs.add(new Transaction(1, k.publicKey(), t.recipient(), 1, 1, i, t.signature()));
    }
    Block b = new Block(ChainCodec.decodeHeader(HEX.parseHex(DEV_GENESIS)), txs);
    byte[] enc = ChainCodec.encode(b);
    assertThat(enc.length).isLessThanOrEqualTo(Limits.MAX_BLOCK_BYTES);
    assertThat(ChainCodec.decodeBlock(enc)).isEqualTo(b);
  }

  interface Decode {
    Object run() throws DecodeException;
  }

  static void assertReason(Decode d, Reason reason) {
    assertThatThrownBy(d::run)
        .isInstanceOf(DecodeException.class)
        .extracting(e -> ((DecodeException) e).reason())
        .isEqualTo(reason);
  }
}
