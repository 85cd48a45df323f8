package org.lorafoundry.registry.domain;

import java.util.Collection;

import org.lorafoundry.proto.v1.Verdict;

/**
 * Who may point which alias at which version (DESIGN.md, "Registry": promotion requires a passed verdict unless a
 * maintainer overrides it with a recorded reason).
 *
 * <ul>
 *   <li>Only the owning team's members (and admins) change aliases; an org-visible adapter is read-only to others.</li>
 *   <li>{@code production} is moved or removed by a maintainer of the team (or an admin); any other alias by a member.</li>
 *   <li>The target version must have a PASSED verdict; otherwise only a maintainer may move the alias, and only with a
 *       non-blank reason, which is recorded (audit row and {@code AliasChanged.override_reason}).</li>
 *   <li>A job's {@code promote_to_alias} moves the alias only when its verdict PASSED (never an override), and moves
 *       {@code production} only for teams the registry is configured to allow.</li>
 * </ul>
 */
public final class AliasPolicy {

    private AliasPolicy() {
    }

    /** The answer; {@code status}/{@code code} are set when refused. */
    public record Decision(boolean allowed, boolean overridden, int status, String code, String message) {

        static Decision allow(boolean overridden) {
            return new Decision(true, overridden, 200, null, null);
        }

        static Decision refuse(int status, String code, String message) {
            return new Decision(false, false, status, code, message);
        }
    }

    /**
     * A person moves (or creates) an alias.
     *
     * @param member     the caller may act in the team (member or admin)
     * @param maintainer the caller is a maintainer of the team (or admin)
     */
    public static Decision move(boolean member, boolean maintainer, String alias, int version, Verdict verdict,
            String overrideReason) {
        Decision role = role(member, maintainer, alias, "move");
        if (role != null) {
            return role;
        }
        if (verdict == Verdict.VERDICT_PASSED) {
            return Decision.allow(false);
        }
        String rejected = "v" + version + " did not pass its evaluation gate (" + verdictName(verdict) + ")";
        if (!maintainer) {
            return Decision.refuse(409, "VERDICT_NOT_PASSED", rejected + ": only a maintainer of the team can point '"
                    + alias + "' at it, with an overrideReason");
        }
        if (overrideReason == null || overrideReason.isBlank()) {
            return Decision.refuse(409, "VERDICT_NOT_PASSED", rejected + ": to override the gate, give an "
                    + "overrideReason (it is recorded in the audit trail and in the AliasChanged event)");
        }
        return Decision.allow(true);
    }

    /** A person removes an alias. */
    public static Decision remove(boolean member, boolean maintainer, String alias) {
        Decision role = role(member, maintainer, alias, "remove");
        return role != null ? role : Decision.allow(false);
    }

    /**
     * A job asked for {@code promote_to_alias}.
     *
     * @param productionTeams teams allowed to promote production automatically ({@code *} = all)
     */
    public static Decision automatic(String team, String alias, Verdict verdict, Collection<String> productionTeams) {
        if (!Names.isAlias(alias)) {
            return Decision.refuse(400, "INVALID_ALIAS", "'" + alias + "' is not a valid alias name");
        }
        if (verdict != Verdict.VERDICT_PASSED) {
            return Decision.refuse(409, "VERDICT_NOT_PASSED", "not promoted to '" + alias + "': the verdict is "
                    + verdictName(verdict) + " (automatic promotion never overrides the gate)");
        }
        if (Names.PRODUCTION.equals(alias) && !productionTeams.contains("*") && !productionTeams.contains(team)) {
            return Decision.refuse(403, "PRODUCTION_PROMOTION_NOT_ALLOWED", "not promoted to 'production': team '"
                    + team + "' may not promote production automatically (foundry.registry."
                    + "auto-promote-production-teams); a maintainer can move it with PUT .../aliases/production");
        }
        return Decision.allow(false);
    }

    private static Decision role(boolean member, boolean maintainer, String alias, String what) {
        if (!member) {
            return Decision.refuse(403, "FORBIDDEN", "Only members of the owning team can " + what + " aliases "
                    + "(this adapter is shared read-only)");
        }
        if (Names.PRODUCTION.equals(alias) && !maintainer) {
            return Decision.refuse(403, "FORBIDDEN", "Only a maintainer of the team can " + what
                    + " the 'production' alias");
        }
        return null;
    }

    public static String verdictName(Verdict verdict) {
        return switch (verdict) {
            case VERDICT_PASSED -> "PASSED";
            case VERDICT_FAILED -> "FAILED";
            default -> "UNSPECIFIED";
        };
    }
}
