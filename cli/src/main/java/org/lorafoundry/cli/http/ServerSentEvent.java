package org.lorafoundry.cli.http;

/**
 * One event of a {@code text/event-stream}.
 *
 * @param event the {@code event:} field; {@code message} when absent
 * @param data  the {@code data:} lines joined with newlines
 */
public record ServerSentEvent(String event, String data) {
}
