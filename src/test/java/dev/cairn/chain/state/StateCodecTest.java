package dev.cairn.chain.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.DecodeException;
import dev.cairn.chain.model.Hash;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class StateCodecTest {
  final Undo undo;

  StateCodecTest() {
    Map<Address, Optional<Account>> m = new LinkedHashMap<>();
    m.put(ChainFixture.Trivial.key(1).address(), Optional.of(new Account(Long.MAX_VALUE, 3)));
    m.put(ChainFixture.Trivial.key(2).address(), Optional.empty());
    m.put(ChainFixture.Trivial.key(3).address(), Optional.of(new Account(0, 0)));
    undo = new Undo(Hash.sha256(new byte[] {9}), m);
  }

  @Test
  void roundTripsAccountsAndUndo() throws Exception {
    Account a = new Account(123, 456);
    assertThat(StateCodec.decodeAccount(StateCodec.encode(a))).isEqualTo(a);
    byte[] enc = StateCodec.encode(undo);
    assertThat(enc).hasSize(4 + 3 * (20 + 1 + 16));
    Undo back = StateCodec.decodeUndo(undo.block(), enc);
    assertThat(back).isEqualTo(undo);
    assertThat(back.previous().keySet()).containsExactlyElementsOf(undo.previous().keySet());
  }

  @Test
  void refusesAnUndoThatNamesAnAddressTwice() {
    byte[] enc = StateCodec.encode(undo);
    byte[] twice = enc.clone();
    // a fuzz finding: the second entry repeats the first address
    System.arraycopy(enc, 4, twice, 4 + 37, 20);
    assertThatThrownBy(() -> StateCodec.decodeUndo(undo.block(), twice))
        .extracting(e -> ((DecodeException) e).reason())
        .isEqualTo(DecodeException.Reason.DUPLICATE);
  }

  @Test
  void refusesEveryTruncationTrailingBytesHugeCountsAndNonCanonicalEntries() {
    byte[] enc = StateCodec.encode(undo);
    for (int n = 0; n < enc.length; n++) {
      byte[] cut = Arrays.copyOf(enc, n);
      assertThatThrownBy(() -> StateCodec.decodeUndo(undo.block(), cut))
          .isInstanceOf(DecodeException.class);
    }
    assertThatThrownBy(
            () -> StateCodec.decodeUndo(undo.block(), Arrays.copyOf(enc, enc.length + 1)))
        .extracting(e -> ((DecodeException) e).reason())
        .isEqualTo(DecodeException.Reason.TRAILING_BYTES);
    byte[] huge = enc.clone();
    ByteBuffer.wrap(huge).putInt(0, -1);
    assertThatThrownBy(() -> StateCodec.decodeUndo(undo.block(), huge))
        .extracting(e -> ((DecodeException) e).reason())
        .isEqualTo(DecodeException.Reason.TOO_MANY_ITEMS);
    byte[] badFlag = enc.clone();
    badFlag[4 + 20] = 7;
    assertThatThrownBy(() -> StateCodec.decodeUndo(undo.block(), badFlag))
        .isInstanceOf(DecodeException.class);
    // the second entry is an absent account: its balance must be zero to re-encode to itself
    byte[] absentWithBalance = enc.clone();
    absentWithBalance[4 + 37 + 21 + 7] = 1;
    assertThatThrownBy(() -> StateCodec.decodeUndo(undo.block(), absentWithBalance))
        .isInstanceOf(DecodeException.class);
    byte[] negative = StateCodec.encode(new Account(1, 1));
    negative[0] = (byte) 0x80;
    assertThatThrownBy(() -> StateCodec.decodeAccount(negative))
        .isInstanceOf(DecodeException.class);
  }
}
