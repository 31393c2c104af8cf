package dev.keyward.vault.server;

/** An answer: a status and a DTO to serialise ({@code null} means no body). */
record ApiResponse(int status, Object body) {
    static final ApiResponse NO_CONTENT = new ApiResponse(204, null);

    static ApiResponse ok(Object body) {
        return new ApiResponse(200, body);
    }
}
