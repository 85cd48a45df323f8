package org.lorafoundry.cli.output;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.lorafoundry.cli.CliException;
import org.lorafoundry.cli.http.ApiError;

/**
 * Where results and errors go. Results to stdout: for people (tables, fields) by default, the services' JSON with
 * {@code --json}. Errors to stderr as {@code error: <CODE>: <message>}; with {@code --json} also as a JSON object on
 * stdout, so a script reading stdout always reads JSON.
 */
public final class Output {

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final boolean terminal;
    private final ObjectMapper pretty;
    private final ObjectMapper compact;
    private int progressWidth;

    public Output(PrintWriter out, PrintWriter err, boolean json, boolean terminal, ObjectMapper mapper) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.terminal = terminal;
        this.compact = mapper.copy().disable(SerializationFeature.INDENT_OUTPUT);
        this.pretty = mapper.copy().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** Whether results are wanted as JSON ({@code --json}). */
    public boolean json() {
        return json;
    }

    /** Whether stdout is a terminal a progress line can be redrawn on. */
    public boolean terminal() {
        return terminal;
    }

    /** A result as indented JSON. */
    public void json(Object value) {
        out.println(write(pretty, value));
        out.flush();
    }

    /** A result as one line of JSON (a stream of events: one object per line). */
    public void jsonLine(Object value) {
        out.println(write(compact, value));
        out.flush();
    }

    public void line(String text) {
        endProgress();
        out.println(text);
        out.flush();
    }

    public void table(Table table, String whenEmpty) {
        endProgress();
        out.print(table.isEmpty() ? whenEmpty + "\n" : table.render());
        out.flush();
    }

    public void fields(Fields fields) {
        endProgress();
        out.print(fields.render());
        out.flush();
    }

    /** Redraws the progress line in place (terminals only; callers print plain lines elsewhere). */
    public void progress(String text) {
        int pad = Math.max(0, progressWidth - text.length());
        out.print("\r" + text + " ".repeat(pad));
        out.flush();
        progressWidth = text.length();
    }

    /** A note for the person (what is happening), on stderr so that stdout holds only results. */
    public void note(String text) {
        err.println(text);
        err.flush();
    }

    public void error(CliException error) {
        endProgress();
        err.println("error: " + error.code() + ": " + error.getMessage());
        error.details().forEach(detail -> err.println("  " + detail));
        err.flush();
        if (json) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("code", error.code());
            body.put("message", error.getMessage());
            body.put("exitCode", error.exitCode().code());
            if (error instanceof ApiError api) {
                body.put("status", api.status());
                if (!api.body().isNull()) {
                    body.put("response", api.body());
                }
            } else if (!error.details().isEmpty()) {
                body.put("details", error.details());
            }
            json(Map.of("error", body));
        }
    }

    /**
     * An instant of the services, to the second ({@code -} when absent). The services write ISO strings, but the jobs
     * event stream's snapshot writes epoch seconds (a number), so both are read.
     */
    public static String instant(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull() || value.asText().isBlank()) {
            return "-";
        }
        if (value.isNumber()) {
            return Instant.ofEpochSecond(value.asLong()).toString();
        }
        try {
            return Instant.parse(value.asText()).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return value.asText();
        }
    }

    private void endProgress() {
        if (progressWidth > 0) {
            out.println();
            progressWidth = 0;
        }
    }

    private static String write(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot print as JSON", e);
        }
    }
}
