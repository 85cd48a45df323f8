package org.lorafoundry.cli;

/**
 * The exit codes of every command, so scripts can branch on what went wrong without parsing messages. The table is in
 * {@code cli/README.md}; keep both in step.
 */
public enum ExitCode {

    /** Done. */
    OK(0),
    /** The command line (or a local file it names) is wrong; nothing was sent. Also an unexpected error of the CLI. */
    USAGE(1),
    /** The service answered 404: no such thing, or it belongs to a team the caller is not in. */
    NOT_FOUND(2),
    /** The service refused the request as invalid or conflicting (400, 409, 413, 422), or the job spec is invalid. */
    REFUSED(3),
    /** No token, a token the service does not accept (401), or a role or team the caller lacks (403). */
    UNAUTHORISED(4),
    /** The service failed (5xx) or could not be reached (HTTP or Kafka). Worth retrying. */
    UNAVAILABLE(5),
    /** {@code jobs watch}: the job ended FAILED, REJECTED or CANCELLED. */
    JOB_UNSUCCESSFUL(6);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The exit code of an HTTP error status. */
    public static ExitCode ofHttpStatus(int status) {
        if (status == 404) {
            return NOT_FOUND;
        }
        if (status == 401 || status == 403) {
            return UNAUTHORISED;
        }
        if (status >= 400 && status < 500) {
            return REFUSED;
        }
        return UNAVAILABLE;
    }
}
