package dev.keyward.vault.seal;

import dev.keyward.vault.api.InvalidRequestException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The printed form of a Shamir share: {@code kw1-} then Crockford base32 of
 * {@code setId(4) || threshold(1) || x(1) || y(32) || check(4)} in dash-separated groups of five.
 * {@code check} is the first four bytes of SHA-256 over the rest, so a mistyped character is
 * rejected on entry (a false accept needs a 2^-32 accident). The set id ties shares to one
 * split: shares of an older split (before a rekey) are refused by name.
 */
public final class ShareCodec {
    static final String PREFIX = "kw1-";
    private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static final int CHECK = 4;

    private ShareCodec() {
    }

    /** A share as entered, checked but not yet combined. */
    public record Decoded(int setId, int threshold, Shamir.Share share) {
        @Override
        public String toString() {
            return "Decoded[hidden]";
        }
    }

    public static String encode(int setId, int threshold, Shamir.Share share) {
        byte[] y = share.y();
        ByteBuffer body = ByteBuffer.allocate(4 + 1 + 1 + y.length + CHECK);
        body.putInt(setId).put((byte) threshold).put((byte) share.x()).put(y);
        byte[] check = checksum(body.array(), body.position());
        body.put(check, 0, CHECK);
        Arrays.fill(y, (byte) 0);
        String b32 = base32(body.array());
        Arrays.fill(body.array(), (byte) 0);
        StringBuilder out = new StringBuilder(PREFIX);
        for (int i = 0; i < b32.length(); i++) {
            if (i > 0 && i % 5 == 0) {
                out.append('-');
            }
            out.append(b32.charAt(i));
        }
        return out.toString();
    }

    /** Parses and checks one share; a mistyped one gets a plain error and nothing is learnt. */
    public static Decoded decode(char[] entered) {
        StringBuilder clean = new StringBuilder();
        for (char c : entered) {
            if (c != '-' && !Character.isWhitespace(c)) {
                clean.append(Character.toUpperCase(c));
            }
        }
        String s = clean.toString();
        clean.setLength(0);
        if (!s.startsWith("KW1")) {
            throw new InvalidRequestException("This is not a Keyward unseal share (it should start with 'kw1-').");
        }
        byte[] body = unbase32(s.substring(3));
        try {
            if (body == null || body.length < 4 + 1 + 1 + 1 + CHECK) {
                throw new InvalidRequestException("This share is mistyped or incomplete: check it and enter it again.");
            }
            int n = body.length - CHECK;
            byte[] expect = checksum(body, n);
            if (!MessageDigest.isEqual(Arrays.copyOfRange(expect, 0, CHECK), Arrays.copyOfRange(body, n, body.length))) {
                throw new InvalidRequestException("This share is mistyped: its checksum does not match. "
                        + "Check it and enter it again.");
            }
            ByteBuffer b = ByteBuffer.wrap(body, 0, n);
            int setId = b.getInt();
            int threshold = b.get() & 0xff;
            int x = b.get() & 0xff;
            byte[] y = new byte[n - 6];
            b.get(y);
            if (x == 0) {
                throw new InvalidRequestException("This share is malformed.");
            }
            Decoded d = new Decoded(setId, threshold, new Shamir.Share(x, y));
            Arrays.fill(y, (byte) 0);
            return d;
        } finally {
            if (body != null) {
                Arrays.fill(body, (byte) 0);
            }
        }
    }

    private static byte[] checksum(byte[] data, int len) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update("keyward.share.v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            md.update(data, 0, len);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base32(byte[] data) {
        StringBuilder sb = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte value : data) {
            buffer = (buffer << 8) | (value & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(ALPHABET.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
        }
        return sb.toString();
    }

    /** Crockford decoding: O->0, I/L->1 are accepted as the same digit. Null on a bad character. */
    private static byte[] unbase32(String s) {
        int outLen = s.length() * 5 / 8;
        byte[] out = new byte[outLen];
        int buffer = 0;
        int bits = 0;
        int pos = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 'O') {
                c = '0';
            } else if (c == 'I' || c == 'L') {
                c = '1';
            }
            int v = ALPHABET.indexOf(c);
            if (v < 0) {
                return null;
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                if (pos < outLen) {
                    out[pos++] = (byte) (buffer >> (bits - 8));
                }
                bits -= 8;
            }
        }
        // The last character's unused low bits must be zero: otherwise a typo there would decode
        // to the same bytes and slip past the checksum.
        if (bits >= 5 || (buffer & ((1 << bits) - 1)) != 0) {
            return null;
        }
        return out;
    }
}
