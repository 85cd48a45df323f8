package org.lorafoundry.cli.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.lorafoundry.cli.ExitCode;
import org.lorafoundry.cli.config.Service;

class ApiErrorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ApiError of(int status, String body) {
        return ApiError.of(Service.JOBS, "GET /jobs/x", status, body, true, MAPPER);
    }

    @ParameterizedTest(name = "HTTP {0} -> exit {1}")
    @CsvSource({"400, 3", "401, 4", "403, 4", "404, 2", "409, 3", "413, 3", "422, 3", "500, 5", "502, 5", "503, 5"})
    void everyStatusHasItsExitCode(int status, int exitCode) {
        assertThat(of(status, "").exitCode().code()).isEqualTo(exitCode);
        assertThat(ExitCode.ofHttpStatus(status).code()).isEqualTo(exitCode);
    }

    @Test
    void theServicesCodeAndMessageAreKept() {
        ApiError error = of(409, "{\"code\":\"JOB_ALREADY_FINAL\",\"message\":\"Job x already ended CANCELLED\"}");

        assertThat(error.code()).isEqualTo("JOB_ALREADY_FINAL");
        assertThat(error.getMessage()).isEqualTo("Job x already ended CANCELLED");
        assertThat(error.status()).isEqualTo(409);
        assertThat(error.body().path("code").asText()).isEqualTo("JOB_ALREADY_FINAL");
    }

    @Test
    void jobViolationsBecomeDetailLines() {
        ApiError error = of(422, """
                {"code": "INVALID_LORA_CONFIG", "message": "2 problems",
                 "violations": [{"field": "spec.lora.r", "code": "OUT_OF_RANGE", "message": "r must be 1..1024"},
                                {"field": "spec.lora.target_modules", "code": "NOT_FOUND", "message": "no module w"}]}
                """);

        assertThat(error.details()).containsExactly("spec.lora.r: OUT_OF_RANGE: r must be 1..1024",
                "spec.lora.target_modules: NOT_FOUND: no module w");
    }

    @Test
    void aRejectedDatasetListsItsProblemsWithLineNumbers() {
        ApiError error = ApiError.of(Service.DATASETS, "POST /datasets/d", 422, """
                {"code": "DATASET_REJECTED", "message": "rejected: 1 error", "ingestId": "ing-1",
                 "report": {"errors": [{"line": 3, "code": "NOT_JSON", "message": "not JSON", "field": ""}]},
                 "violations": ["validationFraction must be in [0, 0.5]"]}
                """, true, MAPPER);

        assertThat(error.details()).containsExactly("validationFraction must be in [0, 0.5]",
                "line 3: NOT_JSON: not JSON");
    }

    @Test
    void manyProblemsAreCountedBeyondTheFirstTwenty() {
        StringBuilder violations = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            violations.append(i == 0 ? "" : ",").append("\"problem ").append(i).append('"');
        }
        ApiError error = of(400, "{\"code\":\"INVALID_REQUEST\",\"message\":\"m\",\"violations\":[" + violations + "]}");

        assertThat(error.details()).hasSize(21).endsWith("... and 5 more (--json shows them all)");
    }

    @Test
    void aBare401SaysHowToGetAToken() {
        ApiError withoutToken = ApiError.of(Service.JOBS, "GET /jobs", 401, "", false, MAPPER);
        ApiError rejectedToken = ApiError.of(Service.JOBS, "GET /jobs", 401, "", true, MAPPER);

        assertThat(withoutToken.code()).isEqualTo("UNAUTHORIZED");
        assertThat(withoutToken.getMessage()).startsWith("No token: run 'foundry login'");
        assertThat(rejectedToken.getMessage()).contains("did not accept the token");
    }

    @Test
    void aBare404NamesTheRequestAndTheTeamRule() {
        ApiError error = of(404, "");

        assertThat(error.code()).isEqualTo("NOT_FOUND");
        assertThat(error.getMessage()).isEqualTo("Not found: GET /jobs/x (another team's private data also answers 404)");
    }

    @Test
    void aNonJsonAnswerIsQuoted() {
        ApiError error = of(502, "<html>Bad gateway</html>");

        assertThat(error.code()).isEqualTo("UNAVAILABLE");
        assertThat(error.getMessage()).contains("HTTP 502").contains("<html>Bad gateway</html>");
        assertThat(error.body().isNull()).isTrue();
    }
}
