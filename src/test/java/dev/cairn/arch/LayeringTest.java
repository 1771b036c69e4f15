package dev.cairn.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** DESIGN.md's layers: chain and p2p never import each other, and neither imports node. */
@Timeout(60)
class LayeringTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cairn");
  }

  @Test
  void p2pDoesNotDependOnChainOrNode() {
    noClasses()
        .that()
        .resideInAPackage("dev.cairn.p2p..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.cairn.chain..", "dev.cairn.node..")
        .allowEmptyShould(true)
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
        .allowEmptyShould(true)
        .check(classes);
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
        .check(classes);
  }
}
