package dev.keyward.vault.rotation.check;

import dev.keyward.vault.api.CredentialCheckService.CredentialCheck;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.VaultNotInitializedException;
import dev.keyward.vault.api.VaultSealedException;
import dev.keyward.vault.rotation.RotationContext;
import dev.keyward.vault.rotation.RotationStepException;
import dev.keyward.vault.rotation.Rotator;
import dev.keyward.vault.rotation.RotatorRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Runs one rotator's read-only {@link Rotator#check} against its target with a timeout, and says
 * how it went in words fit for a CI log (never a value, never text a target printed).
 */
public final class CredentialChecks implements AutoCloseable {
    /** How long one check may take (the rotator's own connect and statement timeouts act first). */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final RotatorRegistry registry;
    private final Clock clock;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "keyward-credential-check");
        t.setDaemon(true);
        return t;
    });

    public CredentialChecks(RotatorRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * Checks one secret. {@code current} gives the secret's current fields, {@code readSecret} other
     * secrets' (the rotation credential); both are the vault's audited reads as the rotation job.
     */
    public CredentialCheck check(String path, RotationConfig config, Function<String, Map<String, String>> current,
                                 Function<String, Map<String, String>> readSecret) {
        long t0 = System.nanoTime();
        String type = config.rotator();
        try {
            Rotator rotator = registry.get(type);
            Map<String, String> fields = current.apply(path);
            if (fields.isEmpty()) {
                return new CredentialCheck(path, type, CredentialCheck.FAILED, "NoCurrentValue",
                        "secret/" + path + " has no current value to check.", ms(t0));
            }
            RotationContext ctx = new RotationContext(path, config.params(), fields, readSecret, clock, TIMEOUT);
            Future<?> f = threads.submit(() -> rotator.check(ctx, fields));
            try {
                f.get(TIMEOUT.toMillis() + 5000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                return new CredentialCheck(path, type, CredentialCheck.FAILED, "CheckTimeout",
                        "The check did not finish within " + TIMEOUT.toSeconds() + " s.", ms(t0));
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re
                        : new RotationStepException("The check failed (" + e.getCause().getClass().getSimpleName()
                        + ").");
            } catch (InterruptedException e) {
                f.cancel(true);
                Thread.currentThread().interrupt();
                throw new RotationStepException("The check was interrupted.");
            }
            return new CredentialCheck(path, type, CredentialCheck.OK, null, null, ms(t0));
        } catch (VaultSealedException | VaultNotInitializedException sealed) {
            throw sealed;
        } catch (RuntimeException e) {
            String message = e instanceof RotationStepException || e instanceof InvalidRequestException
                    || e instanceof NotFoundException ? e.getMessage()
                    : "The check failed (" + e.getClass().getSimpleName() + ").";
            return new CredentialCheck(path, type, CredentialCheck.FAILED, e.getClass().getSimpleName(), message,
                    ms(t0));
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
