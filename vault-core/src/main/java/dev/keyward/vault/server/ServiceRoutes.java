package dev.keyward.vault.server;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.remote.RemoteServices;
import dev.keyward.vault.remote.Wire;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Arrays;

/**
 * {@code POST /v1/kw/api/<service>/<method>}: the allow-listed {@code api} service methods of
 * {@link RemoteServices}, for Keyward's own clients (the console attached to {@code keyward serve}).
 * The body is {@code {"context": {"justification", "approvalId"}, "args": [...]}}; the answer is
 * {@code {"result": ...}} (204 for a void method). The {@link Caller} is built here from the
 * request's token and the connection's address, never from the body; a {@code sourceAddress}
 * parameter is the connection's address. The call goes to the same service behind the same guarded
 * door as every other route. Passphrases, PINs and shares in the arguments are wiped after the call.
 */
final class ServiceRoutes {
    private final Vault vault;

    ServiceRoutes(Vault vault) {
        this.vault = vault;
    }

    /** What the client may claim about its call; checked by the door like any other caller's claims. */
    record Context(String justification, String approvalId) {
    }

    ApiResponse handle(ApiRequest r, String rest) {
        String[] parts = rest.split("/", -1);
        if (parts.length != 2) {
            throw VaultApi.unsupportedPath();
        }
        RemoteServices.Service<?> service = RemoteServices.byName(parts[0]).orElseThrow(VaultApi::unsupportedPath);
        RemoteServices.Call call = service.call(parts[1]).orElseThrow(VaultApi::unsupportedPath);
        if (!r.method().equals("POST")) {
            throw VaultApi.methodNotAllowed();
        }
        Object[] args = new Object[call.roles().size()];
        try {
            JsonNode body = parse(r.body());
            Context ctx = context(body.get("context"));
            JsonNode values = body.get("args");
            if (values == null || values.isNull()) {
                values = Wire.JSON.createArrayNode();
            }
            if (!values.isArray() || values.size() != call.values()) {
                throw new InvalidRequestException(parts[0] + "." + parts[1] + " takes " + call.values()
                        + " argument(s) in 'args'.");
            }
            Method m = call.method();
            Parameter[] params = m.getParameters();
            int next = 0;
            for (int i = 0; i < args.length; i++) {
                args[i] = switch (call.roles().get(i)) {
                    case CALLER -> new Caller(r.token(), r.token() == null ? AuthMethod.NONE : AuthMethod.TOKEN,
                            r.source(), ctx.justification(), ctx.approvalId());
                    case SOURCE -> r.source();
                    case PROGRESS -> RemoteServices.noProgress(params[i]);
                    case VALUE -> value(values.get(next++), params[i], parts);
                };
            }
            Object result = invoke(service.of().apply(vault), m, args);
            if (m.getReturnType() == void.class) {
                return ApiResponse.NO_CONTENT;
            }
            return new ApiResponse(200, Wire.JSON.writeValueAsBytes(new Reply(result)));
        } catch (IOException e) {
            throw new ApiException(500, "The answer could not be encoded.");
        } finally {
            wipe(args);
            if (r.body() != null) {
                Arrays.fill(r.body(), (byte) 0);
            }
        }
    }

    /** The answer's body. */
    record Reply(Object result) {
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode n = body == null || body.length == 0 ? Wire.JSON.createObjectNode() : Wire.JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw new InvalidRequestException("The request body must be a JSON object.");
            }
            return n;
        } catch (IOException e) {
            throw new InvalidRequestException("The request body is not valid JSON.");
        }
    }

    private static Context context(JsonNode n) {
        if (n == null || n.isNull()) {
            return new Context(null, null);
        }
        try {
            return Wire.JSON.treeToValue(n, Context.class);
        } catch (IOException e) {
            throw new InvalidRequestException("The call's context holds a justification and an approval id.");
        }
    }

    private static Object value(JsonNode n, Parameter p, String[] call) {
        JavaType type = Wire.JSON.getTypeFactory().constructType(p.getParameterizedType());
        try {
            return Wire.JSON.readerFor(type).readValue(n);
        } catch (ValueInstantiationException e) {
            // A record's own validation refused the value: its message is the sentence to answer.
            if (e.getCause() instanceof KeywardException k) {
                throw k;
            }
            throw wrongType(p, call);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof KeywardException k) {
                throw k;
            }
            throw wrongType(p, call);
        } catch (IOException e) {
            throw wrongType(p, call);
        }
    }

    private static InvalidRequestException wrongType(Parameter p, String[] call) {
        return new InvalidRequestException("The argument '" + p.getName() + "' of " + call[0] + "." + call[1]
                + " has the wrong form.");
    }

    private static Object invoke(Object target, Method m, Object[] args) {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof KeywardException k) {
                throw new ServiceFailure(k);
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("a service threw a checked exception", cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("a service method is not accessible", e);
        }
    }

    private static void wipe(Object[] args) {
        for (Object a : args) {
            if (a instanceof char[] c) {
                Arrays.fill(c, '\0');
            } else if (a instanceof UnsealCredential u) {
                u.close();
            } else if (a instanceof byte[] b) {
                Arrays.fill(b, (byte) 0);
            }
        }
    }
}
