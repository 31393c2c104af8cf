package dev.keyward.vault.rotation.postgres;

import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.SecretPaths;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code postgres} rotator's parameters, validated. None of them is a secret: the password
 * of the role that changes passwords lives in another secret, named by {@code rotation_credential}.
 *
 * @param host               server host name or IP address
 * @param port               server port (default 5432)
 * @param database           the database to log in to (default {@code postgres})
 * @param mode               {@code single} (one role) or {@code alternating} (two roles take turns)
 * @param username           the role (single), the first of the two roles (alternating)
 * @param alternateUsername  the second role (alternating only), else null
 * @param rotationCredential path of the secret with {@code username} and {@code password} of a role
 *                           that may change the target roles' passwords
 * @param sslMode            the driver's {@code sslmode} (default {@code prefer})
 * @param connectTimeoutSeconds how long a connection attempt may take (default 5)
 * @param passwordLength     length of generated passwords (default 32)
 */
public record PostgresParams(String host, int port, String database, Mode mode, String username,
                             String alternateUsername, String rotationCredential, String sslMode,
                             int connectTimeoutSeconds, int passwordLength) {

    /** How the rotator uses its roles. */
    public enum Mode {
        SINGLE, ALTERNATING
    }

    /** Parameter names, as they appear in rotation configs. */
    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String DATABASE = "database";
    public static final String MODE = "mode";
    public static final String USERNAME = "username";
    public static final String ALTERNATE_USERNAME = "alternate_username";
    public static final String ROTATION_CREDENTIAL = "rotation_credential";
    public static final String SSL_MODE = "sslmode";
    public static final String CONNECT_TIMEOUT = "connect_timeout";
    public static final String PASSWORD_LENGTH = "password_length";

    private static final Set<String> KNOWN = Set.of(HOST, PORT, DATABASE, MODE, USERNAME, ALTERNATE_USERNAME,
            ROTATION_CREDENTIAL, SSL_MODE, CONNECT_TIMEOUT, PASSWORD_LENGTH);
    private static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");
    /** Role and database names Keyward accepts: plain identifiers, always sent quoted. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$.-]{0,62}");
    private static final Pattern HOST_NAME = Pattern.compile(
            "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    public PostgresParams {
        if (mode == Mode.ALTERNATING && (alternateUsername == null || alternateUsername.equals(username))) {
            throw new InvalidRequestException("Alternating mode needs two different roles: 'username' and '"
                    + ALTERNATE_USERNAME + "'.");
        }
    }

    /** Parses and checks a rotation config's parameters; the error names the parameter that is wrong. */
    public static PostgresParams parse(Map<String, String> params) {
        for (String key : params.keySet()) {
            if (!KNOWN.contains(key)) {
                throw new InvalidRequestException("The postgres rotator has no parameter '" + printable(key)
                        + "'; known: " + String.join(", ", KNOWN.stream().sorted().toList()) + ".");
            }
        }
        String host = required(params, HOST);
        if (!(HOST_NAME.matcher(host).matches() && host.length() <= 253)
                && !(host.contains(":") && IPV6.matcher(strip(host)).matches())) {
            throw new InvalidRequestException("Parameter 'host' must be a host name or an IP address.");
        }
        int port = number(params, PORT, 5432, 1, 65535);
        String database = params.getOrDefault(DATABASE, "postgres");
        name(DATABASE, database);
        String modeText = params.getOrDefault(MODE, "single");
        Mode mode = switch (modeText) {
            case "single" -> Mode.SINGLE;
            case "alternating" -> Mode.ALTERNATING;
            default -> throw new InvalidRequestException("Parameter 'mode' is 'single' or 'alternating'.");
        };
        String username = name(USERNAME, required(params, USERNAME));
        String alternate = params.get(ALTERNATE_USERNAME);
        if (mode == Mode.SINGLE && alternate != null) {
            throw new InvalidRequestException("Parameter '" + ALTERNATE_USERNAME + "' belongs to mode 'alternating'.");
        }
        if (mode == Mode.ALTERNATING) {
            if (alternate == null) {
                throw new InvalidRequestException("Mode 'alternating' needs parameter '" + ALTERNATE_USERNAME + "'.");
            }
            name(ALTERNATE_USERNAME, alternate);
        }
        String credential = required(params, ROTATION_CREDENTIAL);
        try {
            SecretPaths.validateSecretPath(SecretPaths.normalize(credential));
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException("Parameter '" + ROTATION_CREDENTIAL + "': " + e.getMessage());
        }
        String ssl = params.getOrDefault(SSL_MODE, "prefer");
        if (!SSL_MODES.contains(ssl)) {
            throw new InvalidRequestException("Parameter 'sslmode' is one of " + String.join(", ", SSL_MODES) + ".");
        }
        int connectTimeout = number(params, CONNECT_TIMEOUT, 5, 1, 60);
        int length = number(params, PASSWORD_LENGTH, 32, 16, 99);
        return new PostgresParams(host, port, database, mode, username, alternate,
                SecretPaths.normalize(credential), ssl, connectTimeout, length);
    }

    /** The roles this config may touch: one in single mode, two in alternating mode. */
    public List<String> roles() {
        return mode == Mode.SINGLE ? List.of(username) : List.of(username, alternateUsername);
    }

    /** host:port/database, for messages. */
    public String where() {
        return (host.contains(":") ? "[" + strip(host) + "]" : host) + ":" + port + "/" + database;
    }

    /** The JDBC URL: built only from validated parts, with no URL options (those go in properties). */
    String jdbcUrl() {
        return "jdbc:postgresql://" + where();
    }

    private static String strip(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String required(Map<String, String> params, String key) {
        String v = params.get(key);
        if (v == null || v.isBlank()) {
            throw new InvalidRequestException("The postgres rotator needs parameter '" + key + "'.");
        }
        return v;
    }

    private static String name(String key, String value) {
        if (!NAME.matcher(value).matches()) {
            throw new InvalidRequestException("Parameter '" + key + "' must be a name of letters, digits, '_', '$',"
                    + " '.' or '-' (at most 63, not starting with a digit).");
        }
        return value;
    }

    private static int number(Map<String, String> params, String key, int dflt, int min, int max) {
        String v = params.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new InvalidRequestException("Parameter '" + key + "' must be a whole number from " + min + " to " + max
                + ".");
    }

    private static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
