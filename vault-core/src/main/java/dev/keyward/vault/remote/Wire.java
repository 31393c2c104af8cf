package dev.keyward.vault.remote;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.UnsealCredential;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON of the remote service calls: the {@code api} records as Jackson writes them (component
 * names, ISO-8601 times and durations), with no polymorphic typing. The few {@code api} types that
 * are not records have their own forms: {@link SecretData} is its field map, an
 * {@link UnsealCredential} is {@code {"kind": "passphrase"|"pin"|"share", "secret": "..."}} read
 * into a char array without an intermediate String, a {@link Path} is its absolute path on the vault
 * host. This is Keyward's own client protocol (the console's), versioned with the {@code api}; the
 * Vault-compatible routes keep their explicit DTOs.
 */
public final class Wire {
    public static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(special())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // Records are written by their components (read from their fields): no helper method
            // (hasData, caller, noChanges ...) becomes a property.
            .visibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .build();

    private Wire() {
    }

    private static SimpleModule special() {
        SimpleModule m = new SimpleModule("keyward-wire");
        m.addSerializer(SecretData.class, new JsonSerializer<>() {
            @Override
            public void serialize(SecretData v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeStartObject();
                for (Map.Entry<String, String> e : v.fields().entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
        });
        m.addDeserializer(SecretData.class, new JsonDeserializer<>() {
            @Override
            public SecretData deserialize(JsonParser p, DeserializationContext c) throws IOException {
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw new InvalidRequestException("Secret data is an object of field names to string values.");
                }
                Map<String, String> fields = new TreeMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    if (p.nextToken() != JsonToken.VALUE_STRING) {
                        throw new InvalidRequestException("The value of field '" + name + "' must be a string.");
                    }
                    fields.put(name, p.getText());
                }
                return SecretData.of(fields);
            }
        });
        m.addSerializer(UnsealCredential.class, new JsonSerializer<>() {
            @Override
            public void serialize(UnsealCredential v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeStartObject();
                g.writeStringField("kind", kind(v));
                g.writeFieldName("secret");
                g.writeString(v.secret(), 0, v.secret().length);
                g.writeEndObject();
            }
        });
        m.addDeserializer(UnsealCredential.class, new JsonDeserializer<>() {
            @Override
            public UnsealCredential deserialize(JsonParser p, DeserializationContext c) throws IOException {
                String kind = null;
                char[] secret = null;
                try {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        JsonToken t = p.nextToken();
                        if (name.equals("kind") && t == JsonToken.VALUE_STRING) {
                            kind = p.getText();
                        } else if (name.equals("secret") && t == JsonToken.VALUE_STRING) {
                            secret = Arrays.copyOfRange(p.getTextCharacters(), p.getTextOffset(),
                                    p.getTextOffset() + p.getTextLength());
                        } else {
                            p.skipChildren();
                        }
                    }
                    if (kind == null || secret == null) {
                        throw new InvalidRequestException("An unseal credential has a kind and a secret.");
                    }
                    return switch (kind) {
                        case "passphrase" -> UnsealCredential.passphrase(secret);
                        case "pin" -> UnsealCredential.pin(secret);
                        case "share" -> UnsealCredential.share(secret);
                        default -> throw new InvalidRequestException("An unseal credential is a passphrase, a pin or a"
                                + " share.");
                    };
                } finally {
                    if (secret != null) {
                        Arrays.fill(secret, '\0');
                    }
                }
            }
        });
        m.addSerializer(Path.class, new JsonSerializer<>() {
            @Override
            public void serialize(Path v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(v.toAbsolutePath().toString());
            }
        });
        m.addDeserializer(Path.class, new JsonDeserializer<>() {
            @Override
            public Path deserialize(JsonParser p, DeserializationContext c) throws IOException {
                Path path;
                try {
                    path = Path.of(p.getValueAsString(""));
                } catch (java.nio.file.InvalidPathException e) {
                    throw new InvalidRequestException("A file is given by its absolute path on the vault host.");
                }
                if (!path.isAbsolute()) {
                    throw new InvalidRequestException("A file is given by its absolute path on the vault host.");
                }
                return path;
            }
        });
        return m;
    }

    static String kind(UnsealCredential c) {
        if (c instanceof UnsealCredential.Pin) {
            return "pin";
        }
        return c instanceof UnsealCredential.Share ? "share" : "passphrase";
    }
}
