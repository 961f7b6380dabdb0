package dev.actrec.server;

/**
 * A request the server refuses, with the HTTP status and the JSON error body
 * {@code {"error": code, "field": ..., "detail": ...}} (plus {@code line}/{@code event} for a bad event).
 * Thrown anywhere in request handling; {@link ActServer} turns it into the response in one place.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String error;
    private final String field;
    private final long line;
    private final long event;

    ApiException(int status, String error, String field, String detail, long line, long event) {
        super(detail);
        this.status = status;
        this.error = error;
        this.field = field;
        this.line = line;
        this.event = event;
    }

    static ApiException badRequest(String field, String detail) {
        return new ApiException(400, "bad_request", field, detail, -1, -1);
    }

    static ApiException badEvent(String field, String detail, long line, long event) {
        return new ApiException(400, "invalid_event", field, detail, line, event);
    }

    static ApiException unauthorized(String detail) {
        return new ApiException(401, "unauthorized", "Authorization", detail, -1, -1);
    }

    static ApiException forbidden(String detail) {
        return new ApiException(403, "forbidden", "Authorization", detail, -1, -1);
    }

    static ApiException notFound(String field, String detail) {
        return new ApiException(404, "not_found", field, detail, -1, -1);
    }

    static ApiException conflict(String field, String detail) {
        return new ApiException(409, "conflict", field, detail, -1, -1);
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(413, "payload_too_large", "body", "request body larger than " + limit + " bytes",
                -1, -1);
    }

    static ApiException overloaded(String detail) {
        return new ApiException(503, "overloaded", null, detail, -1, -1);
    }

    public int status() { return status; }
    public String error() { return error; }
    /** The offending field, parameter or header, or null. */
    public String field() { return field; }
    public String detail() { return getMessage(); }
    /** 1-based line of a bad event in the body, or -1. */
    public long line() { return line; }
    /** 0-based index of a bad event in the body, or -1. */
    public long event() { return event; }
}
