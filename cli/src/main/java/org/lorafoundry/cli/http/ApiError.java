package org.lorafoundry.cli.http;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import org.lorafoundry.cli.CliException;
import org.lorafoundry.cli.ExitCode;
import org.lorafoundry.cli.config.Service;

/**
 * A service's error answer. The services answer {@code {code, message, ...}}; where they answer nothing (the security
 * layer's 401/403, a bare 404, a proxy's 502) the code and message come from the status, with what to do about it.
 */
public final class ApiError extends CliException {

    /** Violations and problems beyond this many are counted, not listed. */
    static final int MAX_DETAILS = 20;

    private final int status;
    private final transient JsonNode body;

    private ApiError(int status, String code, String message, List<String> details, JsonNode body) {
        super(ExitCode.ofHttpStatus(status), code, message, details);
        this.status = status;
        this.body = body;
    }

    /**
     * @param request   what was asked, e.g. {@code GET /jobs/x}, for answers that say nothing themselves
     * @param tokenSent whether the request carried a token (a 401 without one has another remedy)
     */
    public static ApiError of(Service service, String request, int status, String responseBody, boolean tokenSent,
            ObjectMapper mapper) {
        JsonNode body = parse(responseBody, mapper);
        String code = body.path("code").asText("");
        String message = body.path("message").asText("");
        if (code.isBlank()) {
            code = codeOf(status);
        }
        if (message.isBlank()) {
            message = messageOf(service, request, status, tokenSent, body.isNull() ? responseBody : "");
        }
        return new ApiError(status, code, message, details(body), body);
    }

    public int status() {
        return status;
    }

    /** The answer's JSON ({@code NullNode} when it was not JSON). */
    public JsonNode body() {
        return body;
    }

    private static JsonNode parse(String text, ObjectMapper mapper) {
        if (text == null || text.isBlank()) {
            return NullNode.getInstance();
        }
        try {
            JsonNode node = mapper.readTree(text);
            return node != null && node.isObject() ? node : NullNode.getInstance();
        } catch (java.io.IOException e) {
            return NullNode.getInstance();
        }
    }

    private static String codeOf(int status) {
        return switch (status) {
            case 400 -> "BAD_REQUEST";
            case 401 -> "UNAUTHORIZED";
            case 403 -> "FORBIDDEN";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 409 -> "CONFLICT";
            case 413 -> "TOO_LARGE";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            case 502, 503, 504 -> "UNAVAILABLE";
            default -> status >= 500 ? "SERVER_ERROR" : "HTTP_" + status;
        };
    }

    private static String messageOf(Service service, String request, int status, boolean tokenSent, String rawBody) {
        String name = "The " + service.displayName() + " service";
        return switch (status) {
            case 401 -> tokenSent
                    ? name + " did not accept the token (expired, or not signed by this platform): run 'foundry login' "
                            + "with a new one or set FOUNDRY_TOKEN"
                    : "No token: run 'foundry login' (a token comes from './foundry token --subject you --teams demo' "
                            + "or from an admin) or set FOUNDRY_TOKEN";
            case 403 -> name + " refused " + request + ": your token lacks the team or role it needs";
            case 404 -> "Not found: " + request + " (another team's private data also answers 404)";
            default -> name + " answered HTTP " + status + " to " + request
                    + (rawBody == null || rawBody.isBlank() ? "" : ": " + abbreviate(rawBody.strip()));
        };
    }

    /** Every violation (jobs: objects, datasets: strings) and every listed problem of a rejected dataset. */
    private static List<String> details(JsonNode body) {
        List<String> lines = new ArrayList<>();
        for (JsonNode violation : body.path("violations")) {
            lines.add(violation.isTextual() ? violation.asText()
                    : join(violation.path("field").asText(""), violation.path("code").asText(""),
                            violation.path("message").asText("")));
        }
        JsonNode report = body.path("report");
        for (JsonNode problem : report.path("errors")) {
            String field = problem.path("field").asText("");
            lines.add("line " + problem.path("line").asLong() + ": " + problem.path("code").asText() + ": "
                    + problem.path("message").asText() + (field.isBlank() ? "" : " (" + field + ")"));
        }
        if (lines.size() > MAX_DETAILS) {
            int more = lines.size() - MAX_DETAILS;
            lines = new ArrayList<>(lines.subList(0, MAX_DETAILS));
            lines.add("... and " + more + " more (--json shows them all)");
        }
        return lines;
    }

    private static String join(String field, String code, String message) {
        StringBuilder line = new StringBuilder();
        if (!field.isBlank()) {
            line.append(field).append(": ");
        }
        if (!code.isBlank()) {
            line.append(code).append(": ");
        }
        return line.append(message).toString();
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }
}
