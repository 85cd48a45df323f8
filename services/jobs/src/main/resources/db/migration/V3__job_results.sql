-- What became of a job after training: the evaluator's verdict and metrics (EvaluationCompleted) and the adapter
-- version the registry made of it (AdapterVersionRegistered). Shown with the job; the registry stays the owner of
-- adapters, this is a replica of two facts.
create table job_results (
    job_id            text primary key references jobs (job_id),
    verdict           text,
    summary           text,
    candidate_metrics jsonb,
    baseline_metrics  jsonb,
    baseline          text,
    adapter_team      text,
    adapter_name      text,
    adapter_version   integer,
    updated_at        timestamptz not null default now()
);
