-- Datasets, their immutable versions, and every ingest attempt with its report (services/datasets owns these).

-- One row per (team, name) that has at least one version; locked to number versions one at a time.
create table datasets (
    team            text         not null,
    name            text         not null,
    latest_version  int          not null default 0,
    created_at      timestamptz  not null default now(),
    updated_at      timestamptz  not null default now(),
    primary key (team, name)
);

-- Immutable versions team/name@vN. The blobs they name are content-addressed and written before the row commits.
create table dataset_versions (
    dataset_id      text         primary key,
    team            text         not null,
    name            text         not null,
    version         int          not null,
    -- SHA-256 over the splits' checksums: identical normalised content = the same version.
    content_sha256  text         not null,
    format          text         not null,
    row_count       bigint       not null,
    -- foundry.v1.DatasetIngested as first published: URIs, checksums, splits, statistics, labels, source.
    ingested        bytea        not null,
    ingest_id       text         not null,
    created_by      text         not null,
    created_at      timestamptz  not null default now(),
    unique (team, name, version),
    unique (team, name, content_sha256),
    foreign key (team, name) references datasets (team, name)
);

-- Every ingest attempt (REST upload or IngestDataset command), accepted or not, with its report (JSON).
create table ingests (
    ingest_id          text         primary key,
    team               text         not null,
    -- As requested (may be invalid when the command was).
    name               text         not null,
    -- The requested (or derived) dataset id.
    dataset_id         text         not null,
    -- CREATED, EXISTING or REJECTED.
    outcome            text         not null,
    -- The version this ingest created or found identical; null when rejected.
    version_dataset_id text         references dataset_versions (dataset_id),
    source_uri         text         not null,
    actor              text         not null,
    command_event_id   text,
    message            text         not null,
    report             jsonb        not null,
    created_at         timestamptz  not null default now()
);
create index ingests_dataset_id on ingests (dataset_id, created_at);
create index ingests_team_name on ingests (team, name, created_at);
