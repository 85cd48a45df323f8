package org.lorafoundry.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HoldOutTest {

    @TempDir
    Path dir;

    @Test
    void holdsOutTheSeededShareOfRowsInFileOrderTheSameEveryTime() throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add("{\"text\": \"row " + i + "\"}");
        }
        Path jsonl = dir.resolve("train.jsonl");
        Files.write(jsonl, rows);

        HoldOut.Split a = HoldOut.split(jsonl, 0.125, 7, dir.resolve("a-train.jsonl"), dir.resolve("a-held.jsonl"));
        HoldOut.Split b = HoldOut.split(jsonl, 0.125, 7, dir.resolve("b-train.jsonl"), dir.resolve("b-held.jsonl"));
        HoldOut.Split other = HoldOut.split(jsonl, 0.125, 8, dir.resolve("c-train.jsonl"), dir.resolve("c-held.jsonl"));

        assertThat(a.heldOutRows()).isEqualTo(5);
        assertThat(a.trainRows()).isEqualTo(35);
        List<String> held = Files.readAllLines(a.heldOut());
        List<String> train = Files.readAllLines(a.train());
        assertThat(Files.readAllLines(b.heldOut())).isEqualTo(held);
        assertThat(Files.readAllLines(other.heldOut())).isNotEqualTo(held);
        List<String> together = new ArrayList<>(train);
        together.addAll(held);
        assertThat(together).containsExactlyInAnyOrderElementsOf(rows);
        assertThat(held).isSortedAccordingTo((x, y) -> Integer.compare(rows.indexOf(x), rows.indexOf(y)));
    }

    @Test
    void refusesFilesTooSmallToSplitAndFractionsOutsideTheOpenInterval() throws Exception {
        Path one = dir.resolve("one.jsonl");
        Files.writeString(one, "{\"text\": \"only\"}\n\n");
        assertThatThrownBy(() -> HoldOut.split(one, 0.5, 1, dir.resolve("t"), dir.resolve("h")))
                .isInstanceOf(DatasetException.class).hasMessageContaining("1 row(s)");
        assertThatThrownBy(() -> HoldOut.split(one, 1.0, 1, dir.resolve("t"), dir.resolve("h")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
