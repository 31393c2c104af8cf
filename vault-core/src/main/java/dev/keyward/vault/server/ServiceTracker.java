package dev.keyward.vault.server;

import dev.keyward.vault.api.LifecycleService;
import dev.keyward.vault.api.Vault;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;

/**
 * Tells the endpoint whether the request it is handling (on this thread) called a service behind
 * the guarded door, which audits every call it receives. A refusal that never got that far is
 * audited by the endpoint ({@link RefusalAudit}). Status, unseal and unseal reset are not counted:
 * the vault cannot audit them while it is sealed.
 */
final class ServiceTracker {
    private static final Set<String> UNAUDITED_LIFECYCLE = Set.of("status", "unseal", "resetUnseal");
    private final ThreadLocal<boolean[]> reached = ThreadLocal.withInitial(() -> new boolean[1]);

    /** The vault, with every service call marked for the calling thread. */
    Vault track(Vault vault) {
        return (Vault) proxy(Vault.class, vault, (target, m, args) -> {
            Object result = invoke(target, m, args);
            Class<?> type = m.getReturnType();
            if (result != null && type.isInterface() && type.getPackageName().equals(Vault.class.getPackageName())
                    && !type.equals(Vault.class)) {
                return proxy(type, result, (t, sm, sargs) -> {
                    if (!(t instanceof LifecycleService && type.equals(LifecycleService.class)
                            && UNAUDITED_LIFECYCLE.contains(sm.getName()))) {
                        reached.get()[0] = true;
                    }
                    return invoke(t, sm, sargs);
                });
            }
            return result;
        });
    }

    /** Starts a request on this thread. */
    void begin() {
        reached.get()[0] = false;
    }

    /** Whether the request on this thread has called an audited service. */
    boolean reachedService() {
        return reached.get()[0];
    }

    private interface Call {
        Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable;
    }

    private static Object proxy(Class<?> type, Object target, Call call) {
        InvocationHandler h = (p, m, args) -> {
            if (m.getDeclaringClass() == Object.class) {
                return switch (m.getName()) {
                    case "equals" -> p == args[0];
                    case "hashCode" -> System.identityHashCode(p);
                    default -> "tracked " + type.getSimpleName();
                };
            }
            return call.invoke(target, m, args);
        };
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h);
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
