-- The registry's tables (services/registry owns them): base models, adapters with immutable versions, aliases, and the
-- audit trail of every change people make. Events announcing changes go through the platform's outbox (db/platform).

-- ---------------------------------------------------------------------------------------------------- base models

-- One row per registered base model; replaced in place (audited) only by an admin with ?replace=true.
create table base_models (
    name             text         primary key,
    architecture     text         not null,
    model_type       text         not null,
    location_uri     text         not null,
    -- DirectoryRef.manifest_sha256 of the model directory.
    sha256           text         not null,
    parameter_count  bigint       not null,
    description      text         not null,
    -- foundry.v1.BaseModelRegistered as last published (config summary, every file with its checksum).
    registered       bytea        not null,
    registered_by    text         not null,
    created_at       timestamptz  not null default now(),
    updated_at       timestamptz  not null default now()
);

-- Every registration and replacement of a base model.
create table base_model_audit (
    id             bigserial    primary key,
    name           text         not null,
    -- REGISTERED or REPLACED.
    action         text         not null,
    from_sha256    text,
    to_sha256      text         not null,
    from_location  text,
    to_location    text         not null,
    actor          text         not null,
    at             timestamptz  not null default now()
);
create index base_model_audit_name on base_model_audit (name, id);

-- ---------------------------------------------------------------------------------------------------- adapters

-- One row per team/name; locked (select ... for update) to number versions and order the adapter's events.
create table adapters (
    team            text         not null,
    name            text         not null,
    visibility      text         not null default 'PRIVATE' check (visibility in ('PRIVATE', 'ORG')),
    latest_version  int          not null default 0,
    created_at      timestamptz  not null default now(),
    updated_at      timestamptz  not null default now(),
    primary key (team, name)
);
create index adapters_org_visible on adapters (team, name) where visibility = 'ORG';

-- Immutable versions team/name@vN. The searchable facts are columns; the full lineage is the protobuf in `registered`.
create table adapter_versions (
    id                 bigserial    primary key,
    team               text         not null,
    name               text         not null,
    version            int          not null,
    -- true on the highest version of its adapter only (kept in the registering transaction).
    is_latest          boolean      not null,
    -- One job registers one version: a second EvaluationCompleted of the same job (a new event id) is ignored.
    job_id             text         not null unique,
    verdict            text         not null check (verdict in ('PASSED', 'FAILED')),
    base_model_name    text         not null,
    base_model_sha256  text         not null,
    dataset_id         text         not null,
    dataset_name       text         not null,
    dataset_version    int          not null,
    description        text         not null,
    tags               jsonb        not null,
    -- Candidate metrics of the evaluation, {"accuracy": 0.91, ...} (also in adapter_version_metrics, for search).
    metrics            jsonb        not null,
    -- foundry.v1.DirectoryRef of the PEFT directory in the registry's location (adapters/{team}/{name}/{version}/).
    artifact           bytea        not null,
    manifest_sha256    text         not null,
    artifact_size      bigint       not null,
    -- Null when the artifact was copied and verified; otherwise why it cannot be downloaded.
    artifact_problem   text,
    -- What became of the job's promote_to_alias: {"alias", "outcome", "message"}; null when none was asked for.
    promotion          jsonb,
    -- foundry.v1.AdapterVersionRegistered as first published, without its alias table (that changes over time).
    registered         bytea        not null,
    -- The foundry.v1.EvaluationCompleted it was registered from, as received (evaluation summary, durations...).
    source_event       bytea,
    source_event_id    text         not null,
    created_by         text         not null,
    created_at         timestamptz  not null default now(),
    unique (team, name, version),
    foreign key (team, name) references adapters (team, name)
);
-- Keyset pagination of the search: one index per sort order, and partial ones for "latest version of each adapter".
create index adapter_versions_created on adapter_versions (created_at, id);
create index adapter_versions_latest_created on adapter_versions (created_at, id) where is_latest;
create index adapter_versions_name on adapter_versions (name, team, version);
create index adapter_versions_latest_name on adapter_versions (name, team, version) where is_latest;
create index adapter_versions_team on adapter_versions (team, created_at, id);
create index adapter_versions_base_model on adapter_versions (base_model_name, created_at, id);
create index adapter_versions_tags on adapter_versions using gin (tags jsonb_path_ops);

-- One row per metric of a version: range filters and metric sorts run on (metric, value).
create table adapter_version_metrics (
    version_id  bigint            not null references adapter_versions (id),
    metric      text              not null,
    value       double precision  not null,
    primary key (version_id, metric)
);
create index adapter_version_metrics_value on adapter_version_metrics (metric, value, version_id);

-- Aliases: one version per alias per adapter (the primary key).
create table adapter_aliases (
    team        text         not null,
    name        text         not null,
    alias       text         not null,
    version     int          not null,
    updated_by  text         not null,
    updated_at  timestamptz  not null default now(),
    primary key (team, name, alias),
    foreign key (team, name, version) references adapter_versions (team, name, version)
);
create index adapter_aliases_alias on adapter_aliases (alias, team, name);

-- Every change people (or promote_to_alias) make to an adapter: alias moves and removals, visibility changes.
create table adapter_audit (
    id            bigserial    primary key,
    team          text         not null,
    name          text         not null,
    -- ALIAS_SET, ALIAS_REMOVED or VISIBILITY_CHANGED.
    action        text         not null,
    alias         text,
    from_version  int,
    to_version    int,
    -- true when a maintainer moved an alias to a version without a PASSED verdict.
    overridden    boolean      not null default false,
    reason        text,
    comment       text,
    from_value    text,
    to_value      text,
    actor         text         not null,
    at            timestamptz  not null default now()
);
create index adapter_audit_adapter on adapter_audit (team, name, id);
