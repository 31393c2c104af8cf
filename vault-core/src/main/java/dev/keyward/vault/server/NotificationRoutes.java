package dev.keyward.vault.server;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotificationService;
import dev.keyward.vault.api.Vault;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Propagation routes under {@code /v1/kw/}: {@code webhooks} (add, list, remove, test) and
 * {@code events} (the long-polled change feed). Each call goes through the guarded door.
 */
final class NotificationRoutes {
    private final Vault vault;

    NotificationRoutes(Vault vault) {
        this.vault = vault;
    }

    record AddBody(String url, String prefix, List<String> events, String caPem) {
        @Override
        public String toString() {
            return "AddBody[prefix=" + prefix + "]";
        }
    }

    /** Whether {@code rest} (after {@code kw/}) is one of these routes. */
    static boolean owns(String rest) {
        return rest.equals("webhooks") || rest.startsWith("webhooks/") || rest.equals("events");
    }

    ApiResponse handle(ApiRequest r, String rest, Caller caller) {
        NotificationService n = vault.notifications();
        String m = r.method();
        if (rest.equals("events")) {
            require(m.equals("GET"));
            Map<String, String> q = r.query();
            long after = q.get("after") == null || q.get("after").isBlank() ? -1 : number(q.get("after"));
            Duration wait = q.get("wait") == null || q.get("wait").isBlank() ? Duration.ZERO
                    : Durations.parse(q.get("wait"));
            return GovernanceRoutes.ok(n.events(caller, after, q.get("prefix"), wait));
        }
        if (rest.equals("webhooks")) {
            if (m.equals("GET") || m.equals("LIST")) {
                return GovernanceRoutes.ok(Map.of("webhooks", n.webhooks(caller)));
            }
            require(m.equals("POST") || m.equals("PUT"));
            AddBody b = VaultApi.body(r, AddBody.class);
            return GovernanceRoutes.ok(n.addWebhook(caller, new NotificationService.WebhookSpec(b.url(), b.prefix(),
                    b.events(), b.caPem())));
        }
        String[] parts = rest.split("/");
        if (parts.length == 2) {
            require(m.equals("DELETE"));
            n.removeWebhook(caller, parts[1]);
            return ApiResponse.NO_CONTENT;
        }
        if (parts.length == 3 && parts[2].equals("test")) {
            require(m.equals("POST") || m.equals("PUT"));
            return GovernanceRoutes.ok(n.testWebhook(caller, parts[1]));
        }
        throw VaultApi.unsupportedPath();
    }

    private static long number(String v) {
        if (!v.matches("-1|\\d{1,18}")) {
            throw new InvalidRequestException("after is -1 (from now) or an event sequence number.");
        }
        return Long.parseLong(v);
    }

    private static void require(boolean ok) {
        if (!ok) {
            throw VaultApi.methodNotAllowed();
        }
    }
}
