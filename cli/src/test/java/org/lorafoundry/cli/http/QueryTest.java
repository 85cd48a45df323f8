package org.lorafoundry.cli.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class QueryTest {

    @Test
    void absentValuesAreLeftOutAndValuesAreEncoded() {
        String query = Query.of().with("team", "demo").with("state", null).with("q", "a b&c").with("size", 20)
                .withEach("tag", List.of("task:chat", "domain:legal")).toString();

        assertThat(query).isEqualTo("?team=demo&q=a+b%26c&size=20&tag=task%3Achat&tag=domain%3Alegal");
    }

    @Test
    void anEmptyQueryIsNothing() {
        assertThat(Query.of().with("team", " ").toString()).isEmpty();
    }

    @Test
    void pathSegmentsCannotChangeThePath() {
        assertThat(Query.segment("a b/../c")).isEqualTo("a%20b%2F..%2Fc");
    }
}
