package dev.keyward.vault.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Copies a child's output, replacing every injected secret value with {@code *****}. Works on
 * lines (a line longer than 64 KiB is flushed in pieces, so a value may only be missed across such
 * a cut); values shorter than 4 characters are not masked, since they would mask ordinary text.
 */
final class Masking {
    static final String MASK = "*****";
    static final int MIN_LENGTH = 4;
    private static final int MAX_LINE = 64 * 1024;

    private final List<byte[]> values = new ArrayList<>();

    Masking(Collection<String> secrets) {
        secrets.stream().filter(s -> s != null && s.length() >= MIN_LENGTH).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .forEach(s -> values.add(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** Copies {@code in} to {@code out} until EOF, masking each line. */
    void copy(InputStream in, OutputStream out) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            for (int i = 0; i < n; i++) {
                line.write(buf[i]);
                if (buf[i] == '\n' || line.size() >= MAX_LINE) {
                    out.write(mask(line.toByteArray()));
                    line.reset();
                }
            }
            if (in.available() == 0) {
                out.flush();
            }
        }
        if (line.size() > 0) {
            out.write(mask(line.toByteArray()));
        }
        out.flush();
    }

    byte[] mask(byte[] text) {
        byte[] cur = text;
        for (byte[] v : values) {
            cur = replace(cur, v, MASK.getBytes(StandardCharsets.US_ASCII));
        }
        return cur;
    }

    private static byte[] replace(byte[] text, byte[] what, byte[] with) {
        ByteArrayOutputStream out = null;
        int last = 0;
        for (int i = 0; i + what.length <= text.length; i++) {
            boolean hit = true;
            for (int j = 0; j < what.length; j++) {
                if (text[i + j] != what[j]) {
                    hit = false;
                    break;
                }
            }
            if (hit) {
                if (out == null) {
                    out = new ByteArrayOutputStream(text.length);
                }
                out.write(text, last, i - last);
                out.write(with, 0, with.length);
                i += what.length - 1;
                last = i + 1;
            }
        }
        if (out == null) {
            return text;
        }
        out.write(text, last, text.length - last);
        return out.toByteArray();
    }
}
