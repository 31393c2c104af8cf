package dev.keyward.console.common;

import javafx.scene.control.PasswordField;

/** Reading a password field without making a String of its contents. */
public final class PasswordFields {
    private PasswordFields() {
    }

    /** The field's characters in a fresh array the caller wipes when done. */
    public static char[] chars(PasswordField f) {
        CharSequence cs = f.getCharacters();
        char[] out = new char[cs.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = cs.charAt(i);
        }
        return out;
    }
}
