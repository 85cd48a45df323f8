-- The evaluator's tables (services/evaluator owns them): one row per evaluation with its lifecycle, and a replica of
-- the registry's alias tables (which version is "production"), fed by foundry.registry.events. Events announcing
-- evaluations go through the platform's outbox (db/platform).

-- One row per trained adapter to evaluate (job + training attempt). Lifecycle (EvaluationState):
-- PENDING -> RUNNING -> COMPLETED | FAILED; RUNNING rows whose lease expired are taken over by another run.
create table evaluations (
    id                 bigserial    primary key,
    job_id             text         not null,
    attempt_id         text         not null,
    team               text         not null,
    adapter_name       text         not null,
    state              text         not null default 'PENDING'
                                    check (state in ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED')),
    -- foundry.v1.TrainingSucceeded as received (task, adapter location, curve...).
    training           bytea        not null,
    -- The TrainingSucceeded record's event id and trace: the published evaluation events are caused by it.
    cause_event_id     text         not null,
    cause_traceparent  text         not null,
    -- Claims so far; an evaluation claimed foundry.evaluator.max-runs times without finishing fails.
    runs               int          not null default 0,
    -- The current run: its fencing token, owner and lease. Only the holder of run_token may finish the row.
    run_token          uuid,
    runner             text,
    lease_until        timestamptz,
    -- Chosen at the first run, kept for every later one: foundry.v1.GatePolicy and where it came from,
    -- foundry.v1.Baseline and (adapter baselines) the baseline's foundry.v1.DirectoryRef.
    gate_policy        bytea,
    policy_source      text,
    baseline           bytea,
    baseline_artifact  bytea,
    -- The outcome.
    verdict            text         check (verdict in ('PASSED', 'FAILED')),
    error_code         text,
    summary            text,
    report_uri         text,
    report_sha256      text,
    created_at         timestamptz  not null default now(),
    started_at         timestamptz,
    finished_at        timestamptz,
    updated_at         timestamptz  not null default now(),
    -- A redelivered TrainingSucceeded (even under a new event id) never evaluates twice.
    unique (job_id, attempt_id)
);
create index evaluations_unfinished on evaluations (id) where state in ('PENDING', 'RUNNING');

-- The registry's alias tables as last announced (AdapterVersionRegistered / AliasChanged carry the complete table of
-- an adapter): enough to load the aliased version as a baseline.
create table alias_targets (
    team             text         not null,
    adapter_name     text         not null,
    alias            text         not null,
    version          int          not null,
    -- foundry.v1.AliasTarget (version, verdict, artifact with checksums, base model).
    target           bytea        not null,
    source_event_id  text         not null,
    updated_at       timestamptz  not null default now(),
    primary key (team, adapter_name, alias)
);
