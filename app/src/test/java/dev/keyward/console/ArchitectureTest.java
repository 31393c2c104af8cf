package dev.keyward.console;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import static com.tngtech.archunit.base.DescribedPredicate.not;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.keyward.console", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule viewModelsNeverTouchTheSceneGraph = noClasses()
            .that().haveSimpleNameEndingWith("ViewModel")
            .should().dependOnClassesThat().resideInAPackage("javafx.scene..");

    @ArchTest
    static final ArchRule consoleUsesOnlyTheVaultApi = noClasses()
            .that().resideInAPackage("dev.keyward.console..")
            .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("dev.keyward.vault..")
                    .and(not(JavaClass.Predicates.resideInAPackage("dev.keyward.vault.api..")))
                    .and(not(HasName.Predicates.name("dev.keyward.vault.Keyward"))));

    @ArchTest
    static final ArchRule noStorageServerOrCryptoLibraries = noClasses()
            .that().resideInAPackage("dev.keyward.console..")
            .should().dependOnClassesThat().resideInAnyPackage("org.h2..", "org.flywaydb..", "org.eclipse.jetty..",
                    "org.bouncycastle..", "java.sql..", "javax.crypto..");

    @ArchTest
    static final ArchRule loggingOnlyThroughSlf4j = noClasses()
            .that().resideInAPackage("dev.keyward.console..")
            .and(not(HasName.Predicates.name("dev.keyward.console.common.LoggingSetup")))
            .should().dependOnClassesThat().resideInAnyPackage("java.util.logging..", "ch.qos.logback..",
                    "org.apache.log4j..");

    @ArchTest
    static final ArchRule noPrintingToTheTerminal = noClasses()
            .that().resideInAPackage("dev.keyward.console..")
            .should().accessField(System.class, "out").orShould().accessField(System.class, "err")
            .because("the console logs through SLF4J and never prints");
}
