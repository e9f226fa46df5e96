package dev.drydock.platform;

/**
 * Stable error codes of the REST API ({@code {"error":{"code","message","detail"}}}), each with its HTTP
 * status. Codes never change meaning once published; add new ones instead.
 */
public enum ApiErrorCode {
    UNAUTHENTICATED(401),
    INVALID_CREDENTIALS(401),
    FORBIDDEN(403),
    CSRF_TOKEN_INVALID(403),
    VALIDATION_FAILED(400),
    MALFORMED_JSON(400),
    PAYLOAD_TOO_LARGE(413),
    NOT_FOUND(404),
    ORG_NOT_FOUND(404),
    ORG_EXISTS(409),
    MEMBER_EXISTS(409),
    ROBOT_NOT_FOUND(404),
    ROBOT_EXISTS(409),
    UNSUPPORTED_GRANT_TYPE(400),
    USER_NOT_FOUND(404),
    ADAPTER_NOT_FOUND(404),
    ADAPTER_EXISTS(409),
    ADAPTER_ACTION_NOT_ALLOWED(409),
    BUILD_NOT_FOUND(404),
    BUILD_ACTION_NOT_ALLOWED(409),
    REPORT_NOT_AVAILABLE(409),
    WEBHOOK_NOT_FOUND(404),
    WEBHOOK_LIMIT_REACHED(409),
    TOO_MANY_STREAMS(429),
    TOO_MANY_ATTEMPTS(429),
    INVITATION_NOT_FOUND(404),
    INVITATION_EXISTS(409),
    INVITATION_EXPIRED(410),
    INTERNAL_ERROR(500);

    public final int status;

    ApiErrorCode(int status) {
        this.status = status;
    }
}
