package dev.keyward.vault.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The rules of DESIGN.md and STYLE.md that a compiler does not check. */
@AnalyzeClasses(packages = "dev.keyward.vault", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule vaultCoreHasNoUiCode = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("javafx..", "org.controlsfx..")
            .because("vault-core holds no UI code");

    @ArchTest
    static final ArchRule onlyStorageTouchesH2 = noClasses().that().resideOutsideOfPackage("dev.keyward.vault.storage..")
            .should().dependOnClassesThat().resideInAnyPackage("org.h2..", "org.flywaydb..")
            .because("nothing above storage may depend on H2 (PostgreSQL will be a second backend)");

    @ArchTest
    static final ArchRule noSqlAboveStorage = noClasses().that()
            .resideOutsideOfPackages("dev.keyward.vault.storage..", "dev.keyward.vault.rotation.postgres..")
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..")
            .because("storage is reached only through the Storage interface (the PostgreSQL rotator talks"
                    + " JDBC to its target, never to the vault's storage)");

    @ArchTest
    static final ArchRule loggingOnlyThroughSlf4j = noClasses()
            .that().doNotImplement(javax.sql.DataSource.class) // JDBC's interface names a JUL logger
            .should().dependOnClassesThat()
            .resideInAnyPackage("java.util.logging..", "org.apache.log4j..", "org.apache.logging.log4j..",
                    "ch.qos.logback..")
            .because("logging goes through SLF4J only");

    @ArchTest
    static final ArchRule noPrintingToTheConsoleOutsideTheCli = noClasses()
            .that().resideOutsideOfPackage("dev.keyward.vault.cli..")
            .should().accessField(System.class, "out").orShould().accessField(System.class, "err")
            .because("the vault logs through SLF4J; only the CLI talks to a terminal");

    @ArchTest
    static final ArchRule apiDependsOnNothingInternal = noClasses().that().resideInAPackage("dev.keyward.vault.api..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.keyward.vault.engine..",
                    "dev.keyward.vault.storage..", "dev.keyward.vault.crypto..", "dev.keyward.vault.seal..",
                    "dev.keyward.vault.secrets..", "dev.keyward.vault.identity..", "dev.keyward.vault.policy..",
                    "dev.keyward.vault.audit..")
            .because("the api package is the small public surface: records and interfaces only");
}
