package dev.keyward.vault.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.Vault;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The allow-list can only name calls whose arguments and answers cross the wire as plain JSON. */
class RemoteServicesTest {
    private static final Set<Class<?>> PLAIN = Set.of(String.class, Instant.class, Duration.class, Path.class,
            java.time.LocalTime.class, java.time.LocalDate.class, java.time.ZoneId.class, SecretData.class,
            UnsealCredential.class, char[].class, byte[].class, Integer.class, Long.class,
            Boolean.class, Double.class, Object.class);

    @Test
    void everyAllowedCallUsesOnlyRecordsEnumsCollectionsAndKnownValues() {
        List<String> problems = new ArrayList<>();
        for (RemoteServices.Service<?> s : RemoteServices.SERVICES) {
            for (RemoteServices.Call c : s.calls().values()) {
                Method m = c.method();
                Type[] params = m.getGenericParameterTypes();
                for (int i = 0; i < params.length; i++) {
                    if (c.roles().get(i) == RemoteServices.Role.VALUE) {
                        check(params[i], s.name() + "." + m.getName() + " argument " + i, problems, new HashSet<>());
                    }
                }
                if (m.getReturnType() != void.class) {
                    check(m.getGenericReturnType(), s.name() + "." + m.getName() + " result", problems, new HashSet<>());
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyServiceAccessorOfTheVaultIsListedOrDeliberatelyLeftOut() {
        Set<Class<?>> listed = new HashSet<>();
        RemoteServices.SERVICES.forEach(s -> listed.add(s.type()));
        for (Method m : Vault.class.getMethods()) {
            if (m.getParameterCount() == 0 && m.getReturnType().isInterface()
                    && !m.getReturnType().getSimpleName().equals("SealedBlobs")) {
                assertTrue(listed.contains(m.getReturnType()), "Vault." + m.getName() + "() is not in RemoteServices: "
                        + "add it (one entry) so that attached clients reach it");
            }
        }
    }

    @Test
    void callersAndSourceAddressesAreNeverArguments() {
        var auth = RemoteServices.byName("auth").orElseThrow();
        assertEquals(List.of(RemoteServices.Role.VALUE, RemoteServices.Role.VALUE, RemoteServices.Role.SOURCE),
                auth.call("login").orElseThrow().roles());
        var secrets = RemoteServices.byName("secrets").orElseThrow();
        assertEquals(RemoteServices.Role.CALLER, secrets.call("read").orElseThrow().roles().get(0));
        var audit = RemoteServices.byName("audit").orElseThrow();
        assertTrue(audit.call("verify").orElseThrow().reportsProgress());
        assertTrue(audit.call("recordRefused").isEmpty());
    }

    private static void check(Type t, String where, List<String> problems, Set<Type> seen) {
        if (!seen.add(t)) {
            return;
        }
        if (t instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            if (!Collection.class.isAssignableFrom(raw) && !Map.class.isAssignableFrom(raw)) {
                problems.add(where + ": " + t + " is a generic type other than a collection or map");
            }
            for (Type a : p.getActualTypeArguments()) {
                check(a, where, problems, seen);
            }
            return;
        }
        if (t instanceof GenericArrayType || !(t instanceof Class<?> c)) {
            problems.add(where + ": " + t + " cannot be encoded");
            return;
        }
        if (c.isPrimitive() || c.isEnum() || PLAIN.contains(c)) {
            return;
        }
        if (c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) {
                check(rc.getGenericType(), where + " > " + c.getSimpleName() + "." + rc.getName(), problems, seen);
            }
            return;
        }
        problems.add(where + ": " + c.getName() + " is neither a record, an enum, a collection nor a known value"
                + " (no polymorphic typing on the wire)");
    }
}
