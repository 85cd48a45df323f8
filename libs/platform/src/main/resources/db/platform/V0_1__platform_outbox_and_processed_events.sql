-- Platform tables, created in every service's own schema (Flyway location db/platform; services' own migrations start at V1).

-- Transactional outbox: written in the same transaction as the state change it announces; OutboxRelay publishes it.
create table outbox (
    id           bigserial    primary key,
    topic        text         not null,
    record_key   text,
    event_id     text         not null unique,
    event_type   text         not null,
    traceparent  text         not null,
    payload      bytea        not null,
    created_at   timestamptz  not null default now(),
    published_at timestamptz
);
create index outbox_pending on outbox (id) where published_at is null;

-- Idempotent consumption: the ids of events a consumer has applied, written with the effect.
create table processed_events (
    consumer     text         not null,
    event_id     text         not null,
    processed_at timestamptz  not null default now(),
    primary key (consumer, event_id)
);
