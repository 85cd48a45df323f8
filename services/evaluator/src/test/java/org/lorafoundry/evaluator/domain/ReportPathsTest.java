package org.lorafoundry.evaluator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReportPathsTest {

    @Test
    void reportsLiveUnderTheJobAndAttempt() {
        assertThat(ReportPaths.json("job-42", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"))
                .isEqualTo("evaluations/job-42/1b4e28ba-2fa1-11d2-883f-0016d3cca427/report.json");
        assertThat(ReportPaths.html("job-42", "a1")).isEqualTo("evaluations/job-42/a1/report.html");
    }

    @Test
    void idsThatCannotStartABlobSegmentArePrefixedWithoutColliding() {
        assertThat(ReportPaths.segment("-job")).isEqualTo("_-job");
        assertThat(ReportPaths.segment(".job")).isEqualTo("_.job");
        assertThat(ReportPaths.segment("..")).isEqualTo("_..");
        assertThat(ReportPaths.segment("_job")).isEqualTo("__job");
        assertThat(ReportPaths.segment("_-job")).isNotEqualTo(ReportPaths.segment("-job"));
    }
}
