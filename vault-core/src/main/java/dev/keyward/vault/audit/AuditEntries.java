package dev.keyward.vault.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.IntegrityException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * The one byte form of an audit entry: RFC 8785 (JCS) canonical JSON of an object whose members
 * are strings, two integers ({@code v}, {@code seq}) and one object of strings ({@code details}). Absent
 * values are omitted. The Merkle leaf is SHA-256(0x00 || these bytes); the bundle's
 * {@code entries.jsonl} holds exactly these bytes, one entry per line.
 */
public final class AuditEntries {
    /** Entry format version, the {@code v} member. */
    public static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = new JsonFactory();

    private AuditEntries() {
    }

    /** One member of an entry: its name and how to get its value (null: left out, unless required). */
    private record Member(String name, boolean required, Function<AuditEvent, String> text) {
        static Member number(String name) {
            return new Member(name, true, null);
        }

        /** The one object member: the event's details, each a string, left out when there are none. */
        static Member details() {
            return new Member(DETAILS, false, null);
        }

        boolean isDetails() {
            return name.equals(DETAILS);
        }
    }

    private static final String DETAILS = "details";

    /**
     * The members in RFC 8785 order (by UTF-16 code units of the names, here plain ASCII order).
     * {@code v} and {@code seq} are the two numbers, {@code details} is an object of strings;
     * every other member is a string.
     */
    private static final List<Member> MEMBERS = Stream.of(
            Member.number("v"),
            Member.number("seq"),
            new Member("time", true, e -> e.time().toString()),
            new Member("requestId", true, AuditEvent::requestId),
            new Member("identityId", false, AuditEvent::identityId),
            new Member("identityName", false, AuditEvent::identityName),
            new Member("authMethod", true, AuditEvent::authMethod),
            new Member("source", false, AuditEvent::sourceAddress),
            new Member("operation", true, AuditEvent::operation),
            new Member("resource", false, AuditEvent::resource),
            new Member("decision", true, e -> e.decision().name()),
            new Member("rule", false, AuditEvent::rule),
            new Member("justification", false, AuditEvent::justification),
            new Member("approvalId", false, AuditEvent::approvalId),
            new Member("outcome", true, e -> e.outcome().name()),
            new Member("errorClass", false, AuditEvent::errorClass),
            new Member("credentialHmac", false, AuditEvent::credentialHmac),
            Member.details())
            .sorted(Comparator.comparing(Member::name)).toList();

    /**
     * Canonical bytes of {@code event} logged at {@code sequence}. Written member by member in
     * canonical order with Jackson's generator, whose output is RFC 8785's for integers and for
     * strings without control characters or surrogates (it escapes only {@code "} and
     * {@code \\} there, as RFC 8785 does). Any other entry takes the general path: the same
     * members as JSON text, canonicalized by the RFC 8785 reference implementation.
     */
    public static byte[] canonical(long sequence, AuditEvent event) {
        String[] values = values(event);
        Map<String, String> details = event.details();
        if (!allWrittenAsIs(values, details)) {
            return canonicalize(json(sequence, values, details));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            writeMembers(g, sequence, values, details);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The entry as JSON text with its members in canonical order; its canonical form is {@link #canonical}. */
    static String json(long sequence, AuditEvent event) {
        return json(sequence, values(event), event.details());
    }

    private static String json(long sequence, String[] values, Map<String, String> details) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            writeMembers(g, sequence, values, details);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static boolean allWrittenAsIs(String[] values, Map<String, String> details) {
        for (String v : values) {
            if (v != null && !writtenAsIs(v)) {
                return false;
            }
        }
        for (String v : details.values()) {
            if (!writtenAsIs(v)) {
                return false; // detail names are plain ASCII (AuditEvent checks them)
            }
        }
        return true;
    }

    /** Each string member's value in {@link #MEMBERS} order (null for the numbers and absent members). */
    private static String[] values(AuditEvent event) {
        String[] values = new String[MEMBERS.size()];
        for (int i = 0; i < values.length; i++) {
            Member m = MEMBERS.get(i);
            values[i] = m.text() == null ? null : m.text().apply(event);
        }
        return values;
    }

    /** Whether Jackson writes this string exactly as RFC 8785 does. */
    private static boolean writtenAsIs(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static void writeMembers(JsonGenerator g, long sequence, String[] values, Map<String, String> details)
            throws IOException {
        g.writeStartObject();
        for (int i = 0; i < values.length; i++) {
            Member m = MEMBERS.get(i);
            if (m.isDetails()) {
                if (!details.isEmpty()) {
                    // sorted by name (AuditEvent keeps them so); ASCII names sort as RFC 8785 sorts them
                    g.writeObjectFieldStart(DETAILS);
                    for (Map.Entry<String, String> d : details.entrySet()) {
                        g.writeStringField(d.getKey(), d.getValue());
                    }
                    g.writeEndObject();
                }
            } else if (m.text() == null) {
                g.writeNumberField(m.name(), m.name().equals("seq") ? sequence : FORMAT);
            } else if (values[i] != null || m.required()) {
                g.writeStringField(m.name(), values[i]);
            }
        }
        g.writeEndObject();
    }

    /**
     * The placeholder sequence number of a draft: 2^53 - 1, the largest integer RFC 8785 writes
     * exactly, with as many digits as any real sequence number can have.
     */
    static final long SEQ_PLACEHOLDER = 9007199254740991L;
    private static final byte[] SEQ_MEMBER = ("\"seq\":" + SEQ_PLACEHOLDER).getBytes(StandardCharsets.US_ASCII);
    private static final int PLACEHOLDER_DIGITS = Long.toString(SEQ_PLACEHOLDER).length();

    /**
     * The canonical form of {@code event} with the placeholder as its sequence number. The member
     * {@code "seq":9007199254740991} occurs exactly once: a quote inside a string is always
     * escaped, and a string followed by a colon is a member name, so any match is the one
     * top-level {@code seq} member (the only nested object, {@code details}, holds strings only,
     * so a detail named {@code seq} is followed by a quote, never by a digit). Member order does not depend on values,
     * so writing another number in its place gives exactly {@link #canonical}.
     */
    static AuditDraft draft(AuditEvent event) {
        byte[] t = canonical(SEQ_PLACEHOLDER, event);
        int at = indexOf(t, SEQ_MEMBER);
        if (at < 0) {
            throw new IllegalStateException("the canonical entry has no seq member");
        }
        return new AuditDraft(event, t, at + SEQ_MEMBER.length - PLACEHOLDER_DIGITS);
    }

    /** The draft's bytes with {@code sequence} written over the placeholder at {@code seqAt}. */
    static byte[] withSequence(byte[] template, int seqAt, long sequence) {
        if (sequence < 0 || sequence > SEQ_PLACEHOLDER) {
            throw new IllegalArgumentException("sequence out of range");
        }
        byte[] digits = Long.toString(sequence).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[template.length - PLACEHOLDER_DIGITS + digits.length];
        System.arraycopy(template, 0, out, 0, seqAt);
        System.arraycopy(digits, 0, out, seqAt, digits.length);
        int rest = seqAt + PLACEHOLDER_DIGITS;
        System.arraycopy(template, rest, out, seqAt + digits.length, template.length - rest);
        return out;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** RFC 8785 canonical UTF-8 bytes of any JSON text. */
    public static byte[] canonicalize(String json) {
        try {
            return new JsonCanonicalizer(json).getEncodedUTF8();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not canonicalizable JSON: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Parses canonical entry bytes. */
    public static AuditRecord decode(byte[] bytes) {
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject() || n.path("v").asInt(-1) != FORMAT) {
                throw new IntegrityException("An audit entry has an unknown format.");
            }
            return new AuditRecord(n.path("seq").asLong(-1), Instant.parse(n.path("time").asText()),
                    text(n, "requestId"), text(n, "identityId"), text(n, "identityName"), text(n, "authMethod"),
                    text(n, "source"), text(n, "operation"), text(n, "resource"), text(n, "decision"),
                    text(n, "rule"), text(n, "justification"), text(n, "approvalId"), text(n, "outcome"),
                    text(n, "errorClass"), text(n, "credentialHmac"), details(n.get(DETAILS)));
        } catch (IOException | RuntimeException e) {
            if (e instanceof IntegrityException ie) {
                throw ie;
            }
            throw new IntegrityException("An audit entry could not be parsed.");
        }
    }

    private static Map<String, String> details(JsonNode d) {
        if (d == null || d.isNull()) {
            return Map.of();
        }
        if (!d.isObject()) {
            throw new IntegrityException("An audit entry's details are not an object.");
        }
        Map<String, String> out = new TreeMap<>();
        d.fields().forEachRemaining(f -> {
            if (!f.getValue().isTextual()) {
                throw new IntegrityException("An audit entry's detail is not a string.");
            }
            out.put(f.getKey(), f.getValue().asText());
        });
        return Collections.unmodifiableMap(out);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /**
     * The top-level {@code seq} member of an entry, read with a streaming parser (fast enough to
     * run over millions of lines), or -1 when the line is not a JSON object with an integer seq.
     */
    public static long sequenceOf(byte[] line, int off, int len) {
        try (JsonParser p = FACTORY.createParser(line, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return -1;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("seq".equals(name)) {
                    return v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                }
                p.skipChildren();
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
