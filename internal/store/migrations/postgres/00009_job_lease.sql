-- +goose Up
-- A claimed job's lease, kept apart from its back-off (next_run_at), so "retry
-- now" can tell a job a worker is running from one that is waiting.
ALTER TABLE access_jobs ADD COLUMN leased_until TIMESTAMPTZ;

-- +goose Down
ALTER TABLE access_jobs DROP COLUMN leased_until;
