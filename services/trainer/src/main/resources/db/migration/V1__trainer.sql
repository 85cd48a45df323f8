-- Checkpoints of every job's attempts, shared by all workers (the worker process itself keeps no state): a task
-- delivered again after a worker died resumes from its job's latest row. The files live in the blob store under
-- checkpoints/{job}/step-{n}/; `directory` is the serialized foundry.v1.DirectoryRef with their checksums.
create table checkpoints (
    job_id      text        not null,
    step        bigint      not null,
    attempt_id  text        not null,
    worker_id   text        not null,
    directory   bytea       not null,
    created_at  timestamptz not null default now(),
    primary key (job_id, step)
);
