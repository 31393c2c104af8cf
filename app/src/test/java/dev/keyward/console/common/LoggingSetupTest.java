package dev.keyward.console.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LoggingSetupTest {

    @Test
    void logbackFindsTheSetupAsAService() {
        assertTrue(ServiceLoader.load(Configurator.class).stream().anyMatch(p -> p.type() == LoggingSetup.class));
    }

    @Test
    void setsUpWhatLogbackXmlSaysWithoutReadingIt() {
        LoggerContext context = new LoggerContext();
        LoggingSetup setup = new LoggingSetup();
        setup.setContext(context);
        assertEquals(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, setup.configure(context));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.WARN, root.getLevel());
        ConsoleAppender<?> stderr = (ConsoleAppender<?>) root.getAppender("STDERR");
        assertEquals("System.err", stderr.getTarget());
        assertTrue(stderr.isStarted());
        assertEquals(System.getenv("KEYWARD_LOG_LEVEL") == null ? Level.INFO
                : Level.toLevel(System.getenv("KEYWARD_LOG_LEVEL")), context.getLogger("dev.keyward").getLevel());
        assertEquals(Level.WARN, context.getLogger("org.flywaydb").getLevel());
        assertTrue(context.getLogger("org.h2").getEffectiveLevel().isGreaterOrEqual(Level.WARN));
    }
}
