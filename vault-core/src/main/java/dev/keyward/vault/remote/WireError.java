package dev.keyward.vault.remote;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuditFailureException;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.CasMismatchException;
import dev.keyward.vault.api.HsmUnavailableException;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.PolicyFileException;
import dev.keyward.vault.api.ServiceUnavailableException;
import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.api.VaultAlreadyInitializedException;
import dev.keyward.vault.api.VaultInUseException;
import dev.keyward.vault.api.VaultNotInitializedException;
import dev.keyward.vault.api.VaultSealedException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service failure on the wire: the {@code {"errors": [...]}} of every route, plus which
 * {@code api} exception it was, so that the client throws the same type with the same message
 * (a policy file's line and column, a login backoff's wait). Only the exception types listed here
 * cross; anything else arrives as a plain sentence.
 *
 * @param errors            the message, as in every error answer
 * @param type              the exception's simple name, e.g. {@code CasMismatchException}
 * @param line              a policy file's line (else 0)
 * @param column            a policy file's column (else 0)
 * @param retryAfterMillis  how long a login or unseal backoff lasts, or null
 */
public record WireError(List<String> errors, String type, int line, int column, Long retryAfterMillis) {
    private static final Pattern POLICY_PREFIX = Pattern.compile("^line \\d+, column \\d+: ");
    private static final Pattern HSM = Pattern.compile("^The vault is sealed: HSM unavailable \\((.*)\\)\\.$");
    private static final List<Class<? extends KeywardException>> TYPES = List.of(PolicyFileException.class,
            HsmUnavailableException.class, AccessDeniedException.class, AuditFailureException.class,
            AuthenticationFailedException.class, CasMismatchException.class, IntegrityException.class,
            InvalidRequestException.class, NotFoundException.class, StorageException.class,
            VaultAlreadyInitializedException.class, VaultInUseException.class, VaultNotInitializedException.class,
            VaultSealedException.class, ServiceUnavailableException.class);

    public WireError {
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /** The wire form of a service's failure. */
    public static WireError of(KeywardException e) {
        String type = null;
        for (Class<? extends KeywardException> t : TYPES) {
            if (t.isInstance(e)) {
                type = t.getSimpleName();
                break;
            }
        }
        int line = e instanceof PolicyFileException p ? p.line() : 0;
        int column = e instanceof PolicyFileException p ? p.column() : 0;
        Long retry = e instanceof AuthenticationFailedException a ? a.retryAfter().map(Duration::toMillis).orElse(null)
                : null;
        return new WireError(List.of(e.getMessage() == null ? "" : e.getMessage()), type, line, column, retry);
    }

    /** The exception to throw on the client for an answer with this body and HTTP status. */
    public KeywardException exception(int status) {
        String msg = errors.isEmpty() || errors.get(0).isEmpty() ? "The vault service answered " + status + "."
                : errors.get(0);
        if (type == null) {
            return byStatus(status, msg);
        }
        return switch (type) {
            case "PolicyFileException" -> new PolicyFileException(strip(POLICY_PREFIX, msg), line, column);
            case "HsmUnavailableException" -> {
                Matcher m = HSM.matcher(msg);
                yield m.matches() ? new HsmUnavailableException(m.group(1)) : new VaultSealedException(msg);
            }
            case "AccessDeniedException" -> new AccessDeniedException(msg);
            case "AuditFailureException" -> new AuditFailureException(msg);
            case "AuthenticationFailedException" -> new AuthenticationFailedException(msg,
                    retryAfterMillis == null ? null : Duration.ofMillis(retryAfterMillis));
            case "CasMismatchException" -> new CasMismatchException(msg);
            case "IntegrityException" -> new IntegrityException(msg);
            case "InvalidRequestException" -> new InvalidRequestException(msg);
            case "NotFoundException" -> new NotFoundException(msg);
            case "StorageException" -> new StorageException(msg);
            case "VaultAlreadyInitializedException" -> new VaultAlreadyInitializedException(msg);
            case "VaultInUseException" -> new VaultInUseException(msg);
            case "VaultNotInitializedException" -> new VaultNotInitializedException(msg);
            case "VaultSealedException" -> new VaultSealedException(msg);
            case "ServiceUnavailableException" -> new ServiceUnavailableException(msg);
            default -> byStatus(status, msg);
        };
    }

    /** An answer without a known type (a refusal before any service ran): by its HTTP status. */
    static KeywardException byStatus(int status, String msg) {
        Function<String, KeywardException> f = switch (status) {
            case 400, 404, 405, 413, 415 -> InvalidRequestException::new;
            case 403 -> AccessDeniedException::new;
            case 503 -> VaultSealedException::new;
            default -> ServiceUnavailableException::new;
        };
        return f.apply(msg);
    }

    private static String strip(Pattern p, String s) {
        return p.matcher(s).replaceFirst("");
    }
}
