package org.lorafoundry.jobs.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.jobs.domain.TeamQuota;
import org.lorafoundry.proto.v1.PriorityClass;

/** The {@code teams} table: quotas, weights and allowed priorities. */
@ApplicationScoped
public class TeamRepository {

    public void upsert(Connection tx, TeamQuota team) throws SQLException {
        try (PreparedStatement upsert = tx.prepareStatement("""
                insert into teams (name, max_running, max_queued, weight, allowed_priorities) values (?, ?, ?, ?, ?)
                on conflict (name) do update set max_running = excluded.max_running, max_queued = excluded.max_queued,
                    weight = excluded.weight, allowed_priorities = excluded.allowed_priorities, updated_at = now()""")) {
            upsert.setString(1, team.team());
            upsert.setInt(2, team.maxRunning());
            upsert.setInt(3, team.maxQueued());
            upsert.setDouble(4, team.weight());
            upsert.setString(5, team.allowedPriorities().stream().map(Enum::name).sorted().collect(Collectors.joining(",")));
            upsert.executeUpdate();
        }
    }

    /** Inserts the team only when it does not exist yet (seeding never overwrites what an admin changed). */
    public boolean insertIfAbsent(Connection tx, TeamQuota team) throws SQLException {
        if (find(tx, team.team()).isPresent()) {
            return false;
        }
        upsert(tx, team);
        return true;
    }

    public Optional<TeamQuota> find(Connection tx, String name) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("select * from teams where name = ?")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(map(row)) : Optional.empty();
            }
        }
    }

    public List<TeamQuota> all(Connection tx) throws SQLException {
        List<TeamQuota> teams = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement("select * from teams order by name");
             ResultSet row = select.executeQuery()) {
            while (row.next()) {
                teams.add(map(row));
            }
        }
        return teams;
    }

    private static TeamQuota map(ResultSet row) throws SQLException {
        Set<PriorityClass> priorities = EnumSet.noneOf(PriorityClass.class);
        Arrays.stream(row.getString("allowed_priorities").split(",")).filter(s -> !s.isBlank())
                .forEach(name -> priorities.add(PriorityClass.valueOf(name)));
        return new TeamQuota(row.getString("name"), row.getInt("max_running"), row.getInt("max_queued"),
                row.getDouble("weight"), priorities);
    }
}
