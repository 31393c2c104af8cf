package dev.keyward.console;

import dev.keyward.vault.api.AuthService;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.LifecycleService;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.SecretsService;
import dev.keyward.vault.api.Vault;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The real vault, with a record of each secrets call the console makes (method, path and the
 * justification it sends, which the guarded door writes into the audit entry).
 */
public final class RecordingVault implements Vault {
    public record Call(String method, String path, String justification) {
    }

    private final Vault real;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final SecretsService secrets;

    public RecordingVault(Vault real) {
        this.real = real;
        this.secrets = (SecretsService) Proxy.newProxyInstance(SecretsService.class.getClassLoader(),
                new Class<?>[] {SecretsService.class}, (p, m, args) -> {
                    if (args != null && args.length > 1 && args[0] instanceof Caller c && args[1] instanceof String s) {
                        calls.add(new Call(m.getName(), s, c.justification()));
                    }
                    try {
                        return m.invoke(real.secrets(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> reads(String path) {
        return calls.stream().filter(c -> c.method().equals("read") && c.path().equals(path)).toList();
    }

    @Override
    public LifecycleService lifecycle() {
        return real.lifecycle();
    }

    @Override
    public AuthService auth() {
        return real.auth();
    }

    @Override
    public SecretsService secrets() {
        return secrets;
    }

    @Override
    public dev.keyward.vault.api.SealedBlobs sealedBlobs() {
        return real.sealedBlobs();
    }

    @Override
    public dev.keyward.vault.api.KeyService keys() {
        return real.keys();
    }

    @Override
    public dev.keyward.vault.api.AuditService audit() {
        return real.audit();
    }

    @Override
    public dev.keyward.vault.api.IntegrityService integrity() {
        return real.integrity();
    }

    @Override
    public dev.keyward.vault.api.ApprovalService approvals() {
        return real.approvals();
    }

    @Override
    public IdentityService identities() {
        return real.identities();
    }

    @Override
    public PolicyService policies() {
        return real.policies();
    }

    @Override
    public dev.keyward.vault.api.GovernanceService governance() {
        return real.governance();
    }

    @Override
    public dev.keyward.vault.api.RotationService rotation() {
        return real.rotation();
    }

    @Override
    public dev.keyward.vault.api.CredentialCheckService credentialChecks() {
        return real.credentialChecks();
    }

    @Override
    public dev.keyward.vault.api.AlertService alerts() {
        return real.alerts();
    }

    @Override
    public void close() {
        real.close();
    }
}
