package dev.keyward.vault.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.GovernanceService.Need;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.PolicyFileException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * An automation's declared privilege boundary, as a YAML file kept with its code:
 * <pre>
 * identity: approle:ci-deploy        # optional; when given it must be the identity checked
 * needs:
 *   - path: secret/app/db
 *     capabilities: [read]
 *   - path: secret/app/config/*
 *     capabilities: [read, list]
 * </pre>
 * A malformed file fails with {@link PolicyFileException} naming the line and column, or the
 * entry, of the mistake.
 */
public final class NeedsFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    record NeedDto(String path, List<String> capabilities) {
    }

    record FileDto(String identity, List<NeedDto> needs) {
    }

    /** A parsed file: the identity it names (or null) and its needs. */
    public record Parsed(String identity, List<Need> needs) {
    }

    private NeedsFile() {
    }

    public static Parsed parse(String yaml) {
        if (yaml == null || yaml.isBlank()) {
            throw new PolicyFileException("the needs file is empty: it lists 'needs:' with path and capabilities", 1, 1);
        }
        FileDto f;
        try {
            f = YAML.readValue(yaml, FileDto.class);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String what = e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u
                    ? "unknown field '" + u.getPropertyName() + "' (a needs file has identity and needs; each need "
                    + "has path and capabilities)"
                    : e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException
                    ? "wrong shape: 'needs' is a list of {path, capabilities: [..]}"
                    : "not valid YAML";
            throw new PolicyFileException(what, loc == null ? 1 : Math.max(1, loc.getLineNr()),
                    loc == null ? 1 : Math.max(1, loc.getColumnNr()));
        }
        if (f == null || f.needs() == null) {
            throw new PolicyFileException("the needs file has no 'needs:' list", 1, 1);
        }
        List<Need> needs = new ArrayList<>();
        for (int i = 0; i < f.needs().size(); i++) {
            NeedDto n = f.needs().get(i);
            String where = "needs[" + (i + 1) + "]";
            if (n == null || n.path() == null || n.path().isBlank()) {
                throw new InvalidRequestException(where + ": a need has a path.");
            }
            if (n.capabilities() == null || n.capabilities().isEmpty()) {
                throw new InvalidRequestException(where + " (" + n.path() + "): a need lists its capabilities.");
            }
            EnumSet<Capability> caps = EnumSet.noneOf(Capability.class);
            try {
                for (String c : n.capabilities()) {
                    caps.add(Capability.parse(c));
                }
                needs.add(new Need(n.path().trim(), caps));
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException(where + " (" + n.path() + "): " + e.getMessage());
            }
        }
        return new Parsed(f.identity() == null || f.identity().isBlank() ? null : f.identity().trim(), needs);
    }
}
