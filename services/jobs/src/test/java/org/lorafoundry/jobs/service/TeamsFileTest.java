package org.lorafoundry.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.jobs.domain.TeamQuota;
import org.lorafoundry.proto.v1.PriorityClass;

class TeamsFileTest {

    @Test
    void theShippedTeamsFileIsValid() throws Exception {
        var teams = TeamService.readTeamsFile(Path.of("../../infra/teams.yaml"));
        assertThat(teams).extracting(TeamQuota::team).contains("demo");
        assertThat(teams.get(0).allowedPriorities()).contains(PriorityClass.PRIORITY_CLASS_NORMAL);
    }

    @Test
    void aTypoInTheTeamsFileIsAnErrorNotASilentDefault(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("teams.yaml"), """
                teams:
                  - name: red
                    maxRuning: 2
                    maxQueued: 5
                    weight: 1
                    priorities: [PRIORITY_CLASS_NORMAL]
                """);
        assertThatThrownBy(() -> TeamService.readTeamsFile(file)).hasMessageContaining("maxRuning");
    }
}
