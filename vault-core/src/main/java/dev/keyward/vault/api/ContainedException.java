package dev.keyward.vault.api;

/**
 * Refused by containment: the identity is locked, or it (or the whole vault) is in read-only mode
 * after an alert. The message says which and that an operator can undo it; transports show it
 * (it holds no secret and nothing the client sent).
 */
public class ContainedException extends AccessDeniedException {
    private static final long serialVersionUID = 1L;

    public ContainedException(String message) {
        super(message);
    }
}
