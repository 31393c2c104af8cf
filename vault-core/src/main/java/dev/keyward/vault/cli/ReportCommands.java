package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keyward report compliance}: the compliance report of a period as a PDF or an HTML file. */
@Command(name = "report", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = "Reports for auditors.", subcommands = ReportCommands.Compliance.class)
final class ReportCommands extends CommandGroup {

    @Command(name = "compliance", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"Writes the compliance report of a period: privilege changes with their rationale and "
                    + "approvals, the policy changelog, grants unused in the period, expired and expiring grants, "
                    + "exceptions with their compensating controls, access reviews, and the audit log's "
                    + "verification (signed head fingerprint, entries covered, inclusion of the period).",
                "Needs audit read as well (the auditor role has it); every read is audited."})
    static final class Compliance implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--from", required = true, paramLabel = "DATE",
                description = "The first day (2026-10-01) or an RFC 3339 time.")
        String from;

        @Option(names = "--to", required = true, paramLabel = "DATE",
                description = "The last day, included (2026-12-31), or an RFC 3339 time (excluded).")
        String to;

        @Option(names = "--out", required = true, paramLabel = "FILE",
                description = "report.pdf or report.html (the format follows the name); must not exist yet.")
        Path out;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
            String format = name.endsWith(".pdf") ? "pdf" : name.endsWith(".html") || name.endsWith(".htm") ? "html"
                    : null;
            if (format == null) {
                throw new CliException(ExitCodes.USAGE, "--out names a .pdf or an .html file.");
            }
            if (Files.exists(out)) {
                throw new CliException(ExitCodes.USAGE, out + " exists already: name a new file.");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("from", start(from, "--from"));
            body.put("to", end(to));
            body.put("format", format);
            JsonNode d = r.data("POST", "kw/governance/report", body);
            byte[] content = java.util.Base64.getDecoder().decode(d.path("content").asText());
            try {
                Path dir = out.toAbsolutePath().getParent();
                if (dir != null) {
                    Files.createDirectories(dir);
                }
                Files.write(out, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                throw new CliException(ExitCodes.USAGE, out + " exists already: name a new file.");
            } catch (IOException e) {
                throw new CliException(ExitCodes.USAGE, out + " could not be written.");
            }
            if (r.json()) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) d).remove("content");
                r.print(((com.fasterxml.jackson.databind.node.ObjectNode) d).put("file", out.toString()));
            } else {
                r.out.println("Wrote " + out + " (" + content.length + " bytes): " + d.path("privilege_changes").asInt()
                        + " privilege changes, " + d.path("unused_grants").asInt() + " unused grants, "
                        + d.path("exceptions").asInt() + " exceptions, " + d.path("reviews").asInt() + " reviews, "
                        + d.path("audit_entries").asLong() + " audit entries ("
                        + (d.path("audit_verified").asBoolean() ? "verified" : "PROBLEMS FOUND: see the report")
                        + "). Record the head fingerprint " + d.path("head_fingerprint").asText() + ".");
            }
            return d.path("audit_verified").asBoolean() ? ExitCodes.OK : ExitCodes.REFUSED;
        }

        /** A date is its first instant (UTC); anything else is passed on as a time. */
        static String start(String s, String option) {
            try {
                return s.length() == 10 ? LocalDate.parse(s).toString() : s;
            } catch (DateTimeParseException e) {
                throw new CliException(ExitCodes.USAGE, option + " is a date (2026-10-01) or an RFC 3339 time.");
            }
        }

        /** A date names its whole day: the period ends at the next day's start. */
        static String end(String s) {
            try {
                return s.length() == 10 ? LocalDate.parse(s).plusDays(1).toString() : s;
            } catch (DateTimeParseException e) {
                throw new CliException(ExitCodes.USAGE, "--to is a date (2026-12-31) or an RFC 3339 time.");
            }
        }
    }
}
