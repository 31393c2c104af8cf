package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keyward check credentials [--path PREFIX]}: the rotators' read-only checks, for CI. */
@Command(name = "credentials", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = {"Runs each configured rotator's read-only check against its target (e.g. that a PostgreSQL "
                + "role's current password still logs in and the rotation credential may still change it) and "
                + "exits 1 when any check fails. Nothing is changed; no value leaves the vault.",
            "A secret whose rotation is running is skipped (its target is between two values)."})
final class CredentialCheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--path", paramLabel = "PREFIX",
            description = "Only secrets whose path starts with PREFIX (e.g. db/ or db/orders/app).")
    String path;

    @Override
    public Integer call() {
        KeywardCli r = KeywardCli.root(spec);
        ObjectNode body = KeywardCli.object();
        if (path != null) {
            body.put("prefix", path);
        }
        boolean json = r.json();
        JsonNode d = r.data("POST", "kw/rotation/check", body);
        if (json) {
            r.print(d);
        } else {
            for (JsonNode c : d.path("checks")) {
                String line = String.format("%-7s %-40s %-10s %5d ms", c.path("outcome").asText(),
                        c.path("path").asText(), c.path("rotator").asText(), c.path("millis").asLong());
                if (!c.path("error").isNull() && !c.path("error").isMissingNode()) {
                    line += "  " + c.path("error_class").asText() + ": " + c.path("error").asText();
                }
                r.out.println(line);
            }
            r.out.printf("%d checked, %d failed, %d skipped%n", d.path("checked").asInt(), d.path("failed").asInt(),
                    d.path("skipped").asInt());
        }
        return d.path("ok").asBoolean() ? ExitCodes.OK : ExitCodes.REFUSED;
    }
}
