package dev.keyward.vault.api;

/** check-and-set parameter did not match the current version */
public class CasMismatchException extends KeywardException {
    private static final long serialVersionUID = 1L;

    public CasMismatchException() {
        super("check-and-set parameter did not match the current version");
    }

    public CasMismatchException(String message) {
        super(message);
    }

    public CasMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
