package dev.keyward.console.common;

import java.util.Optional;
import java.util.function.Function;
import javafx.scene.control.Control;
import org.controlsfx.validation.ValidationResult;
import org.controlsfx.validation.ValidationSupport;
import org.controlsfx.validation.Validator;

/** Adapts a ViewModel's check (value to optional message) to a ControlsFX decoration. */
public final class Validation {
    private Validation() {
    }

    public static <T> void register(ValidationSupport support, Control c, Function<T, Optional<String>> check) {
        Validator<T> v = (control, value) -> check.apply(value)
                .map(msg -> ValidationResult.fromError(control, msg))
                .orElseGet(ValidationResult::new);
        support.registerValidator(c, false, v);
    }
}
