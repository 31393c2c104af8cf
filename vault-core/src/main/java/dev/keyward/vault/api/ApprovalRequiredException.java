package dev.keyward.vault.api;

/**
 * The operation needs an approval that has not been granted. Names the request that waits, so a
 * client can show it, follow it and retry with its grant ({@code approval_id}).
 */
public class ApprovalRequiredException extends AccessDeniedException {
    private static final long serialVersionUID = 1L;
    private final String requestId;

    public ApprovalRequiredException(String message, String requestId) {
        super(message);
        this.requestId = requestId;
    }

    /** The request waiting for approval, or null when none could be opened (the message says why). */
    public String requestId() {
        return requestId;
    }
}
