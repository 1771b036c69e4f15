package dev.cairn.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DESIGN.md's layers: chain and p2p never import each other, and neither imports node; the neutral
 * {@code dev.cairn.owner} below both imports nothing of Cairn, and both may import it. Each rule
 * also checks that the classes it constrains exist (and, for the protobuf rules, that the one
 * allowed user really uses them), so that a renamed package cannot make a rule pass on nothing.
 */
@Timeout(60)
class LayeringTest {
  /** Each protocol's generated protobuf package and the one codec allowed to use it. */
  private static final Map<String, String> PROTOBUF_CODECS =
      Map.of(
          "dev.cairn.p2p.identify.pb", "dev.cairn.p2p.identify.IdentifyCodec",
          "dev.cairn.p2p.noise.pb", "dev.cairn.p2p.noise.NoiseCodec",
          "dev.cairn.p2p.gossip.pb", "dev.cairn.p2p.gossip.GossipCodec",
          "dev.cairn.p2p.kad.pb", "dev.cairn.p2p.kad.KadCodec",
          "dev.cairn.node.sync.pb", "dev.cairn.node.sync.SyncCodec");

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cairn");
  }

  /** Fails unless some imported class resides in {@code pkg} or below it. */
  private static void assertHasClasses(String... packages) {
    for (String pkg : packages) {
      assertThat(
              classes.stream()
                  .map(JavaClass::getPackageName)
                  .anyMatch(p -> p.equals(pkg) || p.startsWith(pkg + ".")))
          .as("main classes in %s", pkg)
          .isTrue();
    }
  }

  @Test
  void theLayersAndTheirProtobufPackagesHaveClasses() {
    assertHasClasses("dev.cairn.p2p", "dev.cairn.chain", "dev.cairn.node", "dev.cairn.owner");
    assertHasClasses(PROTOBUF_CODECS.keySet().toArray(String[]::new));
  }

  @Test
  void eachProtobufPackageIsUsedByItsCodec() {
    PROTOBUF_CODECS.forEach(
        (pb, codec) ->
            classes()
                .that()
                .haveFullyQualifiedName(codec)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(pb + "..")
                .allowEmptyShould(false)
                .check(classes));
  }

  @Test
  void p2pDoesNotDependOnChainOrNode() {
    noClasses()
        .that()
        .resideInAPackage("dev.cairn.p2p..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.cairn.chain..", "dev.cairn.node..")
        .allowEmptyShould(false)
        .check(classes);
  }

  @Test
  void chainDoesNotDependOnP2pOrNode() {
    noClasses()
        .that()
        .resideInAPackage("dev.cairn.chain..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.cairn.p2p..", "dev.cairn.node..")
        .allowEmptyShould(false)
        .check(classes);
  }

  @Test
  void theOwnerPackageDependsOnNothingElseInCairn() {
    noClasses()
        .that()
        .resideInAPackage("dev.cairn.owner..")
        .should()
        .dependOnClassesThat(
            JavaClass.Predicates.resideInAPackage("dev.cairn..")
                .and(
                    DescribedPredicate.not(
                        JavaClass.Predicates.resideInAPackage("dev.cairn.owner.."))))
        .allowEmptyShould(false)
        .check(classes);
  }

  /** DESIGN.md's owners; each runs on the one Owner abstraction, in chain, p2p and node alike. */
  @Test
  void everyOwnerRunsOnTheOwnerPackage() {
    for (String owner :
        List.of(
            "dev.cairn.chain.ChainService",
            "dev.cairn.p2p.gossip.GossipRouter",
            "dev.cairn.p2p.host.ConnectionManager",
            "dev.cairn.p2p.kad.KadTable",
            "dev.cairn.node.sync.SyncManager",
            "dev.cairn.node.gossip.LightBranchMeter")) {
      classes()
          .that()
          .haveFullyQualifiedName(owner)
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("dev.cairn.owner.Owner")
          .allowEmptyShould(false)
          .check(classes);
    }
  }

  @Test
  void generatedProtobufStaysInsideItsProtocolPackage() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.cairn.p2p.identify..",
            "dev.cairn.p2p.noise..",
            "dev.cairn.p2p.gossip..",
            "dev.cairn.p2p.kad..",
            "dev.cairn.node.sync..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.cairn.p2p.identify.pb..",
            "dev.cairn.p2p.noise.pb..",
            "dev.cairn.p2p.gossip.pb..",
            "dev.cairn.p2p.kad.pb..",
            "dev.cairn.node.sync.pb..")
        .allowEmptyShould(false)
        .check(classes);
  }

  @Test
  void syncProtobufStaysInsideTheCodec() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.cairn.node.sync.pb..")
        .and()
        .doNotHaveFullyQualifiedName("dev.cairn.node.sync.SyncCodec")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.cairn.node.sync.pb..")
        .allowEmptyShould(false)
        .check(classes);
  }

  @Test
  void kadProtobufStaysInsideTheCodec() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.cairn.p2p.kad.pb..")
        .and()
        .doNotHaveFullyQualifiedName("dev.cairn.p2p.kad.KadCodec")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.cairn.p2p.kad.pb..")
        .allowEmptyShould(false)
        .check(classes);
  }
}
