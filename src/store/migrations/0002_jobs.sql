-- The durable job queue (src/jobs/) and its periodic schedules.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    queue TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN
        ('available', 'running', 'retryable', 'completed', 'cancelled', 'discarded')),
    payload TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    attempt INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
    run_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
    lease_owner TEXT,
    lease_until BIGINT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    owner_id TEXT,
    unique_key TEXT
);
-- What workers claim: pending jobs of a queue by priority, then due time.
CREATE INDEX jobs_pending ON jobs (queue, priority DESC, run_at, id)
    WHERE state IN ('available', 'retryable');
-- What the lease rescuer scans.
CREATE INDEX jobs_leased ON jobs (lease_until) WHERE state = 'running';
-- What the purge job deletes.
CREATE INDEX jobs_finished ON jobs (finished_at)
    WHERE state IN ('completed', 'cancelled', 'discarded');
-- A unique key is unique among pending jobs only: once done, it may run again.
CREATE UNIQUE INDEX jobs_unique_pending ON jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'retryable');
CREATE INDEX jobs_owner ON jobs (owner_id, id) WHERE owner_id IS NOT NULL;

CREATE TABLE job_schedules (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    queue TEXT NOT NULL,
    payload TEXT NOT NULL,
    spec TEXT NOT NULL,
    next_run_at BIGINT NOT NULL,
    last_run_at BIGINT,
    updated_at BIGINT NOT NULL
);
