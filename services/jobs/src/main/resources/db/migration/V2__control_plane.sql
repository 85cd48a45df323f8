-- Teams with their quotas and fair-share weight (seeded from configuration, changed through the admin API).
create table teams (
    name                text              primary key,
    max_running         int               not null,
    max_queued          int               not null,
    weight              double precision  not null,
    allowed_priorities  text              not null,  -- comma-separated PriorityClass names
    updated_at          timestamptz       not null default now()
);

-- Training workers as their heartbeats describe them; a worker silent past the timeout is gone.
create table workers (
    worker_id       text         primary key,
    device          text         not null,
    capacity        int          not null,
    free_slots      int          not null,
    draining        boolean      not null,
    current_job_id  text,
    engine_version  text,
    last_seen       timestamptz  not null
);

-- Local replicas of other services' facts (event-carried state transfer; never their tables).
create table dataset_versions (
    dataset_id   text         primary key,
    team         text         not null,
    name         text         not null,
    version      int          not null,
    resolved     bytea        not null,  -- foundry.v1.ResolvedDataset
    updated_at   timestamptz  not null default now(),
    unique (team, name, version)
);
create table dataset_rejections (
    team         text         not null,
    name         text         not null,
    message      text         not null,
    rejected_at  timestamptz  not null default now(),
    primary key (team, name)
);
create table base_models (
    name         text         primary key,
    sha256       text         not null,
    resolved     bytea        not null,  -- foundry.v1.ResolvedBaseModel
    updated_at   timestamptz  not null default now()
);

-- The latest progress of each job's current attempt (from TrainingProgress).
create table job_progress (
    job_id             text              primary key references jobs (job_id),
    attempt_id         text              not null,
    step               bigint            not null,
    total_steps        bigint            not null,
    epoch              double precision  not null,
    loss               double precision  not null,
    learning_rate      double precision  not null,
    grad_norm          double precision  not null,
    tokens_per_second  double precision  not null,
    eta_seconds        bigint            not null,
    validation_loss    double precision,
    updated_at         timestamptz       not null default now()
);

alter table jobs
    add column attempt_id          text,
    add column queued_at           timestamptz,
    add column dispatched_at       timestamptz,
    add column cancel_requested_at timestamptz,
    add column error_code          text,
    add column error_message       text,
    add column worker_id           text;

create index jobs_queue on jobs (state, priority, queued_at);

-- Jobs queued before queue times were kept wait from when they were last changed.
update jobs set queued_at = updated_at where state = 'JOB_STATE_QUEUED' and queued_at is null;
