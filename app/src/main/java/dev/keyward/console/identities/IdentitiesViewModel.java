package dev.keyward.console.identities;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Background;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.IdentityService.AppRoleInfo;
import dev.keyward.vault.api.IdentityService.AppRoleSpec;
import dev.keyward.vault.api.IdentityService.OperatorInfo;
import dev.keyward.vault.api.IdentityService.SecretIdResult;
import dev.keyward.vault.api.IdentityService.SecretIdSpec;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.TokenInfo;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * Operators, AppRoles (create, issue a secret_id shown once or wrapped) and tokens (list, revoke).
 */
public final class IdentitiesViewModel {
    private final ConsoleViewModel console;
    private final ObservableList<OperatorInfo> operators = FXCollections.observableArrayList();
    private final ObservableList<AppRoleInfo> appRoles = FXCollections.observableArrayList();
    private final ObservableList<TokenInfo> tokens = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper info = new ReadOnlyStringWrapper("");

    public IdentitiesViewModel(ConsoleViewModel console) {
        this.console = console;
    }

    private IdentityService service() {
        return console.vault().identities();
    }

    public ObservableList<OperatorInfo> operators() {
        return FXCollections.unmodifiableObservableList(operators);
    }

    public ObservableList<AppRoleInfo> appRoles() {
        return FXCollections.unmodifiableObservableList(appRoles);
    }

    public ObservableList<TokenInfo> tokens() {
        return FXCollections.unmodifiableObservableList(tokens);
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty infoProperty() {
        return info.getReadOnlyProperty();
    }

    private record Snapshot(List<OperatorInfo> operators, List<AppRoleInfo> roles, List<TokenInfo> tokens) {
    }

    public Task<?> reload() {
        var c = console.caller(null);
        return console.background().attempt(() -> new Snapshot(service().listOperators(c), service().listAppRoles(c),
                service().listTokens(c, null)), s -> {
                    error.set("");
                    operators.setAll(s.operators());
                    appRoles.setAll(s.roles());
                    tokens.setAll(s.tokens());
                }, this::failed);
    }

    /** Splits "a, b c" into policy names. */
    public static List<String> names(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return Arrays.stream(text.split("[,\\s]+")).filter(s -> !s.isBlank()).toList();
    }

    public Task<AppRoleInfo> createAppRole(String name, String policies, String owner) {
        AppRoleSpec spec;
        try {
            spec = new AppRoleSpec(name == null ? "" : name.strip(), names(policies), null, null, 0, List.of(), null,
                    0, List.of(), owner, null);
        } catch (InvalidRequestException e) {
            error.set(e.getMessage());
            return null;
        }
        var c = console.caller(null);
        return console.background().attempt(() -> service().putAppRole(c, spec), r -> {
            info.set("AppRole " + r.name() + " saved.");
            reload();
        }, this::failed);
    }

    /**
     * Issues a secret_id (or, with {@code wrapFor}, a single-use wrapping token). The result goes
     * to {@code show} once and is not kept by the ViewModel.
     */
    public Task<IssuedSecretId> issueSecretId(String role, Duration wrapFor, Consumer<IssuedSecretId> show) {
        if (role == null) {
            error.set("Select an AppRole first.");
            return null;
        }
        var c = console.caller(null);
        SecretIdSpec spec = wrapFor == null ? SecretIdSpec.defaults() : SecretIdSpec.defaults().wrapped(wrapFor);
        return console.background().attempt(() -> {
            String roleId = service().roleId(c, role);
            SecretIdResult r = service().issueSecretId(c, role, spec);
            return new IssuedSecretId(role, roleId, r.secretId(), r.wrap() == null ? null : r.wrap().token(),
                    r.accessor());
        }, issued -> {
            info.set("Issued a secret_id for " + role + " (accessor " + issued.accessor() + ").");
            show.accept(issued);
        }, this::failed);
    }

    /** What the one-time dialog shows. {@link #toString()} hides the secrets. */
    public record IssuedSecretId(String role, String roleId, String secretId, String wrappingToken, String accessor) {
        @Override
        public String toString() {
            return "IssuedSecretId[role=" + role + ", accessor=" + accessor + ", secrets hidden]";
        }
    }

    public Task<Void> revokeToken(String accessor) {
        var c = console.caller(null);
        return console.background().attempt(() -> {
            service().revokeAccessor(c, accessor);
            return null;
        }, ok -> {
            info.set("Token " + accessor + " revoked.");
            reload();
        }, this::failed);
    }

    /** Copies a secret the user chose to copy (secret_id, wrapping token): cleared like secret values. */
    public void copy(String value) {
        console.clipboardGuard().copy(value);
    }

    /** How long a copied secret stays on the clipboard, in seconds. */
    public long clipboardSeconds() {
        return console.settings().clipboardFor().toSeconds();
    }

    /** Copies a role_id (not a secret on its own). */
    public void copyPlain(String value) {
        console.clipboardGuard().copyPlain(value);
    }

    private void failed(Throwable t) {
        error.set(Background.describe(t));
        console.handle(t);
    }
}
