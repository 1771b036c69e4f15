package dev.cairn.owner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.chain.ChainConfig;
import dev.cairn.chain.consensus.GenesisFile;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.node.sync.SyncConfig;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.gossip.GossipConfig;
import dev.cairn.p2p.host.ConnectionLimits;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.host.ResourceLimits;
import dev.cairn.p2p.kad.KadConfig;
import dev.cairn.p2p.reqresp.ReqRespConfig;
import dev.cairn.p2p.yamux.YamuxConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RecordCopyTest {

  @Test
  void aWitherChangesItsComponentsAndKeepsTheOthers() {
    KadConfig base = KadConfig.defaults();
    KadConfig changed = base.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(changed.requestTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(changed.queryTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(changed.withTimeouts(base.requestTimeout(), base.queryTimeout())).isEqualTo(base);
    ReqRespConfig rr = ReqRespConfig.defaults("/x/1").withMaxResponseBytes(7);
    assertThat(rr.maxResponseBytes()).isEqualTo(7);
    assertThat(rr.withMaxResponseBytes(16L << 20)).isEqualTo(ReqRespConfig.defaults("/x/1"));
  }

  @Test
  void theCopyGoesThroughTheRecordsOwnChecks() {
    assertThatThrownBy(() -> KadConfig.defaults().withK(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> YamuxConfig.defaults().withKeepAlive(Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pingTimeout");
  }

  @Test
  void anUnknownNameOrAWrongTypeFailsAtOnce() {
    RecordCopy<KadConfig> copy = RecordCopy.of(KadConfig.defaults());
    assertThatThrownBy(() -> copy.set("kk", 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no component kk");
    assertThatThrownBy(() -> copy.set("k", 3L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k takes Integer");
    assertThatThrownBy(() -> copy.set("k", null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aComponentNamedByItsAccessorIsReplacedAndTheOthersKept() {
    KadConfig base = KadConfig.defaults();
    KadConfig changed = base.with(KadConfig::alpha, 1);
    assertThat(changed.alpha()).isEqualTo(1);
    assertThat(changed.with(KadConfig::alpha, base.alpha())).isEqualTo(base);
    ReqRespConfig rr =
        ReqRespConfig.defaults("/x/1")
            .copy()
            .set(ReqRespConfig::burst, 2)
            .set(ReqRespConfig::maxResponseBytes, 7L)
            .build();
    assertThat(rr.burst()).isEqualTo(2);
    assertThat(rr.maxResponseBytes()).isEqualTo(7);
  }

  @Test
  void anIntIsWidenedForALongComponentButALongIsNotNarrowedForAnInt() {
    assertThat(ChainConfig.defaults().with(ChainConfig::maxOrphanBytes, 1 << 20).maxOrphanBytes())
        .isEqualTo(1L << 20);
    assertThatThrownBy(() -> RecordCopy.of(KadConfig.defaults()).set("alpha", 1L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alpha takes Integer");
  }

  @Test
  void aLambdaInsteadOfAnAccessorReferenceIsRefused() {
    assertThatThrownBy(() -> KadConfig.defaults().with(c -> c.alpha(), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no component lambda$");
  }

  /**
   * The names a wither gives are strings, so this calls every {@code with…} method of every config
   * record with sample arguments: a misspelt component or a value of the wrong type fails here,
   * whatever the record's own checks say of the sample values.
   */
  @Test
  void everyWitherOfEveryConfigNamesARealComponentOfItsType() throws Exception {
    List<Record> configs =
        List.of(
            ChainConfig.defaults(),
            GenesisFile.load("dev"),
            SyncConfig.defaults(),
            KadConfig.defaults(),
            GossipConfig.defaults(),
            HostConfig.defaults(Ed25519PrivateKey.fromSeed(new byte[32]), List.of()),
            ConnectionLimits.defaults(),
            ResourceLimits.defaults(),
            ReqRespConfig.defaults("/x/1"),
            YamuxConfig.defaults());
    Map<Class<?>, Object> samples =
        Map.of(
            int.class,
            1,
            long.class,
            1L,
            double.class,
            1.0,
            boolean.class,
            true,
            String.class,
            "/x/1",
            Duration.class,
            Duration.ofSeconds(1),
            BigInteger.class,
            BigInteger.ONE,
            Mempool.Config.class,
            Mempool.Config.defaults());
    List<String> called = new ArrayList<>();
    for (Record config : configs) {
      for (Method m : config.getClass().getDeclaredMethods()) {
        if (!m.getName().startsWith("with")
            || !Modifier.isPublic(m.getModifiers())
            || m.getReturnType() != config.getClass()) {
          continue;
        }
        Object[] args = new Object[m.getParameterCount()];
        for (int i = 0; i < args.length; i++) {
          args[i] = samples.get(m.getParameterTypes()[i]);
          assertThat(args[i] != null || !m.getParameterTypes()[i].isPrimitive())
              .as("a sample for %s", m.getParameterTypes()[i])
              .isTrue();
        }
        try {
          m.invoke(config, args);
        } catch (InvocationTargetException e) {
          // the record's own checks (or a null sample) may refuse; RecordCopy's refusals must not
          // occur
          assertThat(e.getCause())
              .as("%s.%s", config.getClass().getSimpleName(), m.getName())
              .isInstanceOf(RuntimeException.class);
          assertThat(String.valueOf(e.getCause().getMessage()))
              .as("%s.%s", config.getClass().getSimpleName(), m.getName())
              .doesNotContain("has no component")
              .doesNotContain(" takes ");
        }
        called.add(config.getClass().getSimpleName() + "." + m.getName());
      }
    }
    assertThat(called)
        .contains("ChainConfig.withOrphanBounds", "SyncConfig.withPresync")
        .hasSizeGreaterThan(40);
  }
}
