package dev.keyward.vault.server;

import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.remote.Wire;
import dev.keyward.vault.remote.WireError;
import java.io.IOException;

/**
 * A service behind the guarded door failed a remote service call ({@link ServiceRoutes}): answered
 * with the status the other routes give the same failure, and a body that also names the failure's
 * type so the client can throw it again. The endpoint treats it as its cause everywhere else.
 */
final class ServiceFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient KeywardException failure;

    ServiceFailure(KeywardException failure) {
        super(failure.getMessage(), null, false, false);
        this.failure = failure;
    }

    KeywardException failure() {
        return failure;
    }

    byte[] body() {
        try {
            return Wire.JSON.writeValueAsBytes(WireError.of(failure));
        } catch (IOException e) {
            throw new ApiException(500, "The error could not be encoded.");
        }
    }

    /** The failure a remote call stands for, or {@code e} itself. */
    static Throwable unwrap(Throwable e) {
        return e instanceof ServiceFailure f ? f.failure : e;
    }
}
