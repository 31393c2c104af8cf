package dev.keyward.console.secrets;

/**
 * One field of the selected secret as shown: its name and either a mask or, while revealed, its
 * value. {@link #toString()} never shows the value.
 */
public record FieldRow(String name, String value, boolean revealed) {
    public static final String MASK = "\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022";

    public static FieldRow masked(String name) {
        return new FieldRow(name, null, false);
    }

    /** What the table shows: the mask unless revealed. */
    public String shown() {
        return revealed ? value : MASK;
    }

    @Override
    public String toString() {
        return "FieldRow[" + name + (revealed ? ", revealed" : ", masked") + "]";
    }
}
