package dev.keyward.vault.remote;

import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditService;
import dev.keyward.vault.api.AuthService;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.GovernanceService;
import dev.keyward.vault.api.NotificationService;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.IntegrityService;
import dev.keyward.vault.api.KeyService;
import dev.keyward.vault.api.LifecycleService;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.SecretsService;
import dev.keyward.vault.api.Vault;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The allow-list of the {@code api} services that Keyward's own clients (the console in attach
 * mode) may call over HTTPS: {@code POST /v1/kw/api/<service>/<method>}. The server calls the same
 * service method, behind the same guarded door, with a {@link Caller} it builds from the TLS
 * connection and the request's token; the client is a proxy of the same interface. Giving a new
 * service remote access is one entry in {@link #SERVICES}.
 *
 * <p>Each parameter of an allowed method has a role: the {@link Caller} (never sent: the token
 * travels in {@code X-Vault-Token}, the justification and approval id in the body's context), a
 * {@code String sourceAddress} (never sent: the server puts in the connection's address), an
 * {@link AuditProgress} or {@code Consumer<BackupProgress>} (reported by the client, not sent), or a
 * value (sent as JSON, in order). A default method that delegates to an allowed one (such as
 * {@code BackupService.backup} without progress) runs on the client and makes that call.
 */
public final class RemoteServices {
    /** A service that may be called over the wire. */
    public record Service<T>(String name, Class<T> type, Function<Vault, T> of, Map<String, Call> calls) {
        public Optional<Call> call(String method) {
            return Optional.ofNullable(calls.get(method));
        }
    }

    /** What a parameter stands for. */
    public enum Role { CALLER, SOURCE, PROGRESS, VALUE }

    /** One allowed method with the role of each of its parameters. */
    public record Call(Method method, List<Role> roles) {
        public Call {
            roles = List.copyOf(roles);
        }

        /** The number of values sent on the wire. */
        public long values() {
            return roles.stream().filter(r -> r == Role.VALUE).count();
        }

        public boolean reportsProgress() {
            return roles.contains(Role.PROGRESS);
        }
    }

    /**
     * Services by wire name. Methods left out are for the vault's own transports and jobs (they take
     * the TLS chain, raw responses or a refused request) or take a seal specification (migration and
     * root-key rotation, which name files and PINs on the vault host: run them there).
     */
    public static final List<Service<?>> SERVICES = List.of(
            service("lifecycle", LifecycleService.class, Vault::lifecycle, Set.of("init")),
            service("auth", AuthService.class, Vault::auth, Set.of("loginCert")),
            service("secrets", SecretsService.class, Vault::secrets, Set.of()),
            service("keys", KeyService.class, Vault::keys, Set.of("rotateRootKey", "migrateSeal")),
            service("identities", IdentityService.class, Vault::identities, Set.of("wrapResponse")),
            service("policies", PolicyService.class, Vault::policies, Set.of()),
            service("audit", AuditService.class, Vault::audit, Set.of("recordRefused")),
            service("integrity", IntegrityService.class, Vault::integrity, Set.of()),
            service("governance", GovernanceService.class, Vault::governance, Set.of()),
            service("backups", dev.keyward.vault.api.BackupService.class, Vault::backups, Set.of()),
            service("notifications", NotificationService.class, Vault::notifications, Set.of()),
            service("rotation", dev.keyward.vault.api.RotationService.class, Vault::rotation, Set.of()),
            service("credentials", dev.keyward.vault.api.CredentialCheckService.class, Vault::credentialChecks,
                    Set.of()),
            service("alerts", AlertService.class, Vault::alerts, Set.of()),
            service("approvals", dev.keyward.vault.api.ApprovalService.class, Vault::approvals, Set.of()));

    private static final Map<String, Service<?>> BY_NAME;
    private static final Map<Class<?>, Service<?>> BY_TYPE;

    static {
        Map<String, Service<?>> byName = new LinkedHashMap<>();
        Map<Class<?>, Service<?>> byType = new LinkedHashMap<>();
        for (Service<?> s : SERVICES) {
            if (byName.put(s.name(), s) != null || byType.put(s.type(), s) != null) {
                throw new IllegalStateException("service listed twice: " + s.name());
            }
        }
        BY_NAME = Collections.unmodifiableMap(byName);
        BY_TYPE = Collections.unmodifiableMap(byType);
    }

    private RemoteServices() {
    }

    public static Optional<Service<?>> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static Optional<Service<?>> byType(Class<?> type) {
        return Optional.ofNullable(BY_TYPE.get(type));
    }

    static <T> Service<T> service(String name, Class<T> type, Function<Vault, T> of, Set<String> hidden) {
        Map<String, Call> calls = new TreeMap<>();
        for (Method m : type.getMethods()) {
            // AlertService's calls are default methods (so that raise alone can be a lambda): all remote.
            if (Modifier.isStatic(m.getModifiers()) || (m.isDefault() && type != AlertService.class)
                    || hidden.contains(m.getName())) {
                continue;
            }
            if (calls.put(m.getName(), new Call(m, roles(m))) != null) {
                throw new IllegalStateException(type.getSimpleName() + "." + m.getName()
                        + " is overloaded: a remote call is named by its method alone");
            }
        }
        for (String h : hidden) {
            boolean exists = false;
            for (Method m : type.getMethods()) {
                exists |= m.getName().equals(h);
            }
            if (!exists) {
                throw new IllegalStateException(type.getSimpleName() + " has no method " + h + " to hide");
            }
        }
        return new Service<>(name, type, of, Collections.unmodifiableMap(calls));
    }

    private static List<Role> roles(Method m) {
        List<Role> roles = new ArrayList<>();
        for (Parameter p : m.getParameters()) {
            if (p.getType() == Caller.class) {
                roles.add(Role.CALLER);
            } else if (p.getType() == AuditProgress.class || isBackupProgress(p)) {
                roles.add(Role.PROGRESS);
            } else if (p.getType() == String.class && isSource(p)) {
                roles.add(Role.SOURCE);
            } else {
                roles.add(Role.VALUE);
            }
        }
        return roles;
    }

    /** A {@code Consumer<BackupProgress>}: reported on the client's side, never sent. */
    private static boolean isBackupProgress(Parameter p) {
        return p.getType() == java.util.function.Consumer.class
                && p.getParameterizedType() instanceof java.lang.reflect.ParameterizedType t
                && t.getActualTypeArguments()[0] == dev.keyward.vault.api.BackupProgress.class;
    }

    /** The do-nothing progress callback for a parameter of role {@link Role#PROGRESS} (the server's side). */
    public static Object noProgress(Parameter p) {
        return p.getType() == AuditProgress.class ? AuditProgress.NONE : dev.keyward.vault.api.BackupProgress.NONE;
    }

    /**
     * A parameter named {@code sourceAddress}. The build compiles with {@code -parameters}; without
     * the names a source address could be taken from the body, so the registry refuses to load.
     */
    private static boolean isSource(Parameter p) {
        if (!p.isNamePresent()) {
            throw new IllegalStateException("parameter names are missing from " + p.getDeclaringExecutable()
                    + ": compile with -parameters");
        }
        return p.getName().equals("sourceAddress");
    }
}
