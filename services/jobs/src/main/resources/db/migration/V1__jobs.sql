-- Jobs and their history (services/jobs owns these; no other service reads them).
create table jobs (
    job_id            text         primary key,
    team              text         not null,
    state             text         not null,
    -- The spec as submitted (with the job id filled in), to tell an identical resubmission from a conflicting one.
    submitted_spec    bytea        not null,
    -- The normalised spec (defaults filled): what runs.
    spec              bytea        not null,
    priority          text         not null,
    command_event_id  text         not null,
    attempt           int          not null default 0,
    submitted_at      timestamptz  not null default now(),
    updated_at        timestamptz  not null default now()
);
create index jobs_team_state on jobs (team, state);

-- Every transition with when and why (DESIGN.md, job lifecycle).
create table job_transitions (
    job_id          text         not null references jobs (job_id),
    sequence        bigint       not null,
    from_state      text,
    to_state        text         not null,
    cause           text         not null,
    actor           text         not null,
    cause_event_id  text,
    occurred_at     timestamptz  not null default now(),
    primary key (job_id, sequence)
);
