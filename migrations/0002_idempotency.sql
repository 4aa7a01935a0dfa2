-- Idempotency-Key records for creating writes (owned by libs/http). Kept at least 24 h.

CREATE TABLE idempotency_keys (
    scope            text NOT NULL,          -- "user:<id>" or "anon:<ip>"
    key              text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method           text NOT NULL,
    path             text NOT NULL,
    request_hash     text NOT NULL,
    state            text NOT NULL CHECK (state IN ('in_flight', 'done')),
    response_status  integer,
    response_type    text,
    response_body    text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    locked_until     timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
