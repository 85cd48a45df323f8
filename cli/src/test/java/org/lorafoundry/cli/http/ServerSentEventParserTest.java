package org.lorafoundry.cli.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ServerSentEventParserTest {

    private static List<ServerSentEvent> parse(String... lines) {
        ServerSentEventParser parser = new ServerSentEventParser();
        List<ServerSentEvent> events = new ArrayList<>();
        for (String line : lines) {
            parser.line(line).ifPresent(events::add);
        }
        return events;
    }

    @Test
    void aBlankLineDispatchesTheDataLinesBeforeIt() {
        assertThat(parse("data:{\"type\":\"snapshot\"}", "", "data: {\"type\":\"state\"}", ""))
                .containsExactly(new ServerSentEvent("message", "{\"type\":\"snapshot\"}"),
                        new ServerSentEvent("message", "{\"type\":\"state\"}"));
    }

    @Test
    void severalDataLinesJoinWithNewlinesAndTheEventFieldNamesIt() {
        assertThat(parse("event: progress", "data: a", "data: b", "id: 7", "retry: 100", ""))
                .containsExactly(new ServerSentEvent("progress", "a\nb"));
    }

    @Test
    void commentsAndEventsWithoutDataAreDropped() {
        assertThat(parse(": keep-alive", "", "event: nothing", "", "data", "")).containsExactly(
                new ServerSentEvent("message", ""));
    }

    @Test
    void anUnfinishedEventIsNotDispatched() {
        assertThat(parse("data: half")).isEmpty();
    }
}
