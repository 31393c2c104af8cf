package dev.keyward.vault.api;

import java.nio.charset.StandardCharsets;

/** The rules for secret paths and folders, with clear errors. */
public final class SecretPaths {
    public static final int MAX_BYTES = 512;

    private SecretPaths() {
    }

    /** A secret path: non-empty, no leading or trailing '/', valid segments. Returns it unchanged. */
    public static String validateSecretPath(String path) {
        if (path == null || path.isEmpty()) {
            throw new InvalidRequestException("A secret path must not be empty.");
        }
        if (path.endsWith("/")) {
            throw new InvalidRequestException("A secret path must not end with '/': that names a folder.");
        }
        checkCommon(path);
        return path;
    }

    /** A folder: "" (the top) or segments ending in '/'. Returns it unchanged. */
    public static String validateFolder(String folder) {
        if (folder == null || folder.isEmpty()) {
            return "";
        }
        if (!folder.endsWith("/")) {
            throw new InvalidRequestException("A folder ends with '/'.");
        }
        checkCommon(folder.substring(0, folder.length() - 1));
        return folder;
    }

    /** Trims leading slashes the way Vault does ("/a/b" is "a/b"). */
    public static String normalize(String path) {
        if (path == null) {
            return null;
        }
        int i = 0;
        while (i < path.length() && path.charAt(i) == '/') {
            i++;
        }
        return path.substring(i);
    }

    /**
     * Format characters (Unicode category Cf: bidirectional overrides and isolates, zero-width
     * spaces and joiners, byte order marks): they make a name look like another.
     */
    static boolean invisible(char c) {
        return Character.getType(c) == Character.FORMAT;
    }

    /** Refuses a name (a field name, a metadata key) that holds control or invisible format characters. */
    public static String refuseFormatCharacters(String what, String name) {
        if (name == null) {
            return null;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || invisible(c) || c == '\u2028' || c == '\u2029') {
                throw new InvalidRequestException(what + " must not contain control or invisible format characters "
                        + "(bidirectional controls, zero-width characters).");
            }
        }
        return name;
    }

    private static void checkCommon(String path) {
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new InvalidRequestException("A secret path is at most " + MAX_BYTES + " bytes.");
        }
        if (path.startsWith("/")) {
            throw new InvalidRequestException("A secret path must not start with '/'.");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                throw new InvalidRequestException("A secret path must not contain control characters.");
            }
            if (invisible(c)) {
                throw new InvalidRequestException("A secret path must not contain invisible format characters "
                        + "(bidirectional controls, zero-width characters, byte order marks).");
            }
            if (c == '#' || c == '*' || c == '+' || c == '\\') {
                throw new InvalidRequestException("A secret path must not contain '#', '*', '+' or '\\'.");
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new InvalidRequestException("A secret path must not contain an empty segment ('//').");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidRequestException("A secret path must not contain '.' or '..' segments.");
            }
        }
    }
}
