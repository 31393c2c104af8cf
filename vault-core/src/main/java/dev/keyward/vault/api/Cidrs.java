package dev.keyward.vault.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * IPv4/IPv6 networks in CIDR notation ({@code 10.0.0.0/8}, {@code ::1/128}; a bare address means
 * one host). Only literal addresses are accepted: nothing here ever does a DNS lookup. The
 * embedded console's source {@link Caller#LOCAL} counts as 127.0.0.1.
 */
public final class Cidrs {
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    private Cidrs() {
    }

    /** Validates and normalises a list (null = empty). */
    public static List<String> validate(List<String> cidrs) {
        if (cidrs == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String c : cidrs) {
            parse(c);
            out.add(c.trim());
        }
        return List.copyOf(out);
    }

    /** Whether {@code address} lies in any of {@code cidrs}; an empty list allows any address. */
    public static boolean allows(List<String> cidrs, String address) {
        if (cidrs.isEmpty()) {
            return true;
        }
        byte[] a = address(address);
        if (a == null) {
            return false;
        }
        for (String c : cidrs) {
            if (contains(parse(c), a)) {
                return true;
            }
        }
        return false;
    }

    private record Net(byte[] base, int bits) {
    }

    private static Net parse(String cidr) {
        if (cidr == null) {
            throw bad(null);
        }
        String s = cidr.trim();
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        byte[] base = address(host);
        if (base == null) {
            throw bad(cidr);
        }
        int bits = base.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw bad(cidr);
            }
            if (bits < 0 || bits > base.length * 8) {
                throw bad(cidr);
            }
        }
        return new Net(base, bits);
    }

    private static boolean contains(Net n, byte[] a) {
        if (a.length != n.base.length) {
            return false;
        }
        int full = n.bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != n.base[i]) {
                return false;
            }
        }
        int rest = n.bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (n.base[full] & mask);
    }

    /** The bytes of a literal address (IPv4-mapped IPv6 becomes IPv4), or null if not a literal. */
    static byte[] address(String s) {
        if (s == null) {
            return null;
        }
        String t = s.trim();
        if (t.equals(Caller.LOCAL)) {
            t = "127.0.0.1";
        }
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (t.isEmpty() || !LITERAL.matcher(t).matches() || (t.indexOf(':') < 0 && t.split("\\.", -1).length != 4)) {
            return null;
        }
        try {
            return InetAddress.getByName(t).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static InvalidRequestException bad(String cidr) {
        return new InvalidRequestException("'" + cidr + "' is not a network in CIDR notation (e.g. 10.0.0.0/8 or"
                + " ::1/128).");
    }
}
