package org.lorafoundry.cli.http;

import java.util.Optional;

/**
 * Turns the lines of a {@code text/event-stream} into events, as the HTML standard's parsing rules say: fields
 * {@code event} and {@code data} (several data lines join with newlines), comments ({@code :}) and other fields
 * ignored, an event dispatched by a blank line and dropped when it has no data.
 */
public final class ServerSentEventParser {

    private final StringBuilder data = new StringBuilder();
    private String event;
    private boolean hasData;

    /** Feeds one line (without its line terminator); returns the event it completes, if any. */
    public Optional<ServerSentEvent> line(String line) {
        if (line.isEmpty()) {
            return dispatch();
        }
        if (line.startsWith(":")) {
            return Optional.empty();
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> event = value;
            case "data" -> {
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
            }
            default -> {
                // id, retry and unknown fields: nothing the CLI needs
            }
        }
        return Optional.empty();
    }

    private Optional<ServerSentEvent> dispatch() {
        Optional<ServerSentEvent> completed = hasData
                ? Optional.of(new ServerSentEvent(event == null || event.isEmpty() ? "message" : event, data.toString()))
                : Optional.empty();
        data.setLength(0);
        event = null;
        hasData = false;
        return completed;
    }
}
