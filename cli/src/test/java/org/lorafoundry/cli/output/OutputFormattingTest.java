package org.lorafoundry.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.TextNode;

import org.junit.jupiter.api.Test;
import org.lorafoundry.cli.CliException;
import org.lorafoundry.cli.ExitCode;

class OutputFormattingTest {

    @Test
    void tableColumnsAlignToTheWidestCellWithNoTrailingBlanks() {
        String text = Table.of("JOB", "STATE", "TEAM").row("a-long-job-id", "QUEUED", "demo").row("j2", null, "nlp")
                .render();

        assertThat(text).isEqualTo("""
                JOB            STATE   TEAM
                a-long-job-id  QUEUED  demo
                j2             -       nlp
                """);
    }

    @Test
    void aRowOfTheWrongWidthIsABug() {
        assertThatThrownBy(() -> Table.of("A", "B").row("only one")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fieldsAlignTheirValuesAndSkipAbsentOnes() {
        String text = Fields.of().add("job", "j1").add("base model", "tiny").add("error", null).add("worker", " ")
                .render();

        assertThat(text).isEqualTo("""
                job         j1
                base model  tiny
                """);
    }

    @Test
    void anErrorPrintsCodeMessageAndIndentedDetailsOnStderr() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Output output = new Output(new PrintWriter(out), new PrintWriter(err), false, false, new ObjectMapper());

        output.error(new CliException(ExitCode.REFUSED, "INVALID_LORA_CONFIG", "LoRA config refused",
                List.of("spec.lora.r: OUT_OF_RANGE: r must be 1..1024")));

        assertThat(err.toString()).isEqualTo("error: INVALID_LORA_CONFIG: LoRA config refused\n"
                + "  spec.lora.r: OUT_OF_RANGE: r must be 1..1024\n");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void withJsonAnErrorIsAlsoOneJsonObjectOnStdout() throws Exception {
        StringWriter out = new StringWriter();
        Output output = new Output(new PrintWriter(out), new PrintWriter(new StringWriter()), true, false,
                new ObjectMapper());

        output.error(new CliException(ExitCode.NOT_FOUND, "NOT_FOUND", "No job 'x'"));

        var error = new ObjectMapper().readTree(out.toString()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("NOT_FOUND");
        assertThat(error.path("exitCode").asInt()).isEqualTo(2);
    }

    @Test
    void aProgressLineIsRedrawnInPlaceAndEndedBeforeTheNextLine() {
        StringWriter out = new StringWriter();
        Output output = new Output(new PrintWriter(out), new PrintWriter(new StringWriter()), false, true,
                new ObjectMapper());

        output.progress("step 10/100");
        output.progress("step 9");
        output.line("SUCCEEDED");

        // The shorter second line blanks what is left of the first.
        assertThat(out.toString()).isEqualTo("\rstep 10/100\rstep 9     \nSUCCEEDED\n");
    }

    @Test
    void instantsPrintToTheSecond() {
        assertThat(Output.instant(new TextNode("2026-11-23T19:30:12.123456Z"))).isEqualTo("2026-11-23T19:30:12Z");
        assertThat(Output.instant(new DoubleNode(1.795463905262407E9))).isEqualTo("2026-11-23T19:58:25Z");
        assertThat(Output.instant(null)).isEqualTo("-");
        assertThat(Output.instant(new TextNode("not a time"))).isEqualTo("not a time");
    }
}
