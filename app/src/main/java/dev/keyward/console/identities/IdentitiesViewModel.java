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

    /** What the AppRole form holds, as typed. Durations like 30s, 15m, 1h, 7d; blank = the default. */
    public record AppRoleForm(String name, String policies, String owner, String tokenTtl, String tokenMaxTtl,
                              String tokenUses, String tokenCidrs, String secretIdTtl, String secretIdUses,
                              String secretIdCidrs) {
        public static AppRoleForm basic(String name, String policies, String owner) {
            return new AppRoleForm(name, policies, owner, "", "", "", "", "", "", "");
        }

        public static AppRoleForm of(AppRoleInfo r) {
            AppRoleSpec s = r.spec();
            return new AppRoleForm(r.name(), String.join(", ", s.policies()), s.owner(), duration(s.tokenTtl()),
                    duration(s.tokenMaxTtl()), Integer.toString(s.tokenNumUses()), String.join(", ", s.tokenBoundCidrs()),
                    duration(s.secretIdTtl()), Integer.toString(s.secretIdNumUses()),
                    String.join(", ", s.secretIdBoundCidrs()));
        }

        AppRoleSpec spec(String description) {
            return new AppRoleSpec(name == null ? "" : name.strip(), names(policies), parse("Token TTL", tokenTtl),
                    parse("Max TTL", tokenMaxTtl), count("Token uses", tokenUses), names(tokenCidrs),
                    parse("secret_id TTL", secretIdTtl), count("secret_id uses", secretIdUses), names(secretIdCidrs),
                    owner, description);
        }
    }

    static String duration(Duration d) {
        if (d == null || d.isZero()) {
            return "0";
        }
        long s = d.getSeconds();
        return s % 86400 == 0 ? s / 86400 + "d" : s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    static Duration parse(String what, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})\\s*([smhd]?)").matcher(text.strip());
        if (!m.matches()) {
            throw new InvalidRequestException(what + " is a duration like 30s, 15m, 1h or 7d.");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    static int count(String what, String text) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new InvalidRequestException(what + " is a whole number, 0 for unlimited.");
    }

    /** Creates an AppRole; refuses a name that exists and policies the vault does not have. */
    public Task<AppRoleInfo> createAppRole(String name, String policies, String owner) {
        return createAppRole(AppRoleForm.basic(name, policies, owner));
    }

    public Task<AppRoleInfo> createAppRole(AppRoleForm form) {
        return putAppRole(form, false);
    }

    /** Changes an existing AppRole's settings (its role_id stays). */
    public Task<AppRoleInfo> saveAppRole(AppRoleForm form) {
        return putAppRole(form, true);
    }

    private Task<AppRoleInfo> putAppRole(AppRoleForm form, boolean existing) {
        AppRoleSpec spec;
        try {
            spec = form.spec(null);
        } catch (InvalidRequestException e) {
            error.set(e.getMessage());
            return null;
        }
        var c = console.caller(null);
        error.set("");
        return console.background().attempt(() -> {
            java.util.Set<String> known = new java.util.TreeSet<>();
            service().listAppRoles(c).forEach(r -> known.add(r.name()));
            if (!existing && known.contains(spec.name())) {
                throw new InvalidRequestException("An AppRole named " + spec.name() + " exists already: select it and"
                        + " use Save changes, or delete it first.");
            }
            if (existing && !known.contains(spec.name())) {
                throw new InvalidRequestException("There is no AppRole named " + spec.name() + " to change.");
            }
            java.util.Set<String> policies = new java.util.TreeSet<>();
            console.vault().policies().list(c).forEach(p -> policies.add(p.name()));
            List<String> unknown = spec.policies().stream().filter(p -> !policies.contains(p)).toList();
            if (!unknown.isEmpty()) {
                throw new InvalidRequestException("Unknown polic" + (unknown.size() == 1 ? "y " : "ies ")
                        + String.join(", ", unknown) + ": create it on the Policies screen first (known: "
                        + String.join(", ", policies) + ").");
            }
            AppRoleSpec keep = existing ? withDescription(spec, service().readAppRole(c, spec.name()).spec()) : spec;
            return service().putAppRole(c, keep);
        }, r -> {
            info.set("AppRole " + r.name() + (existing ? " changed." : " created."));
            reload();
        }, this::failed);
    }

    private static AppRoleSpec withDescription(AppRoleSpec s, AppRoleSpec old) {
        return new AppRoleSpec(s.name(), s.policies(), s.tokenTtl(), s.tokenMaxTtl(), s.tokenNumUses(),
                s.tokenBoundCidrs(), s.secretIdTtl(), s.secretIdNumUses(), s.secretIdBoundCidrs(), s.owner(),
                old.description());
    }

    /** Deletes an AppRole, its secret_ids, and revokes every token issued through it. */
    public Task<Void> deleteAppRole(String name) {
        if (name == null) {
            error.set("Select an AppRole first.");
            return null;
        }
        var c = console.caller(null);
        return console.background().attempt(() -> {
            service().deleteAppRole(c, name);
            return null;
        }, ok -> {
            info.set("AppRole " + name + " deleted; its secret_ids and tokens no longer work.");
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
