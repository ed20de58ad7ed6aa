-- +goose Up
-- Door integrations (internal/integration): one vendor integration per
-- organisation with its API key (and Brivo client secret) sealed with the app
-- keyring (aad "access_integration:<entity>:apiKey" / ":clientSecret"); the
-- credentials granted for bookings; a durable job queue filled from the outbox
-- by a consumer with a persisted cursor; and the log of every vendor attempt.
CREATE TABLE access_integrations (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id            BIGINT       NOT NULL REFERENCES entities(id),
    provider             VARCHAR(32)  NOT NULL,
    api_key_sealed       TEXT         NOT NULL,
    key_id               VARCHAR(16)  NOT NULL,
    client_secret_sealed TEXT,
    settings             TEXT         NOT NULL,
    is_enabled           BOOLEAN      NOT NULL,
    configured_at        TIMESTAMP  NOT NULL,
    created_at           TIMESTAMP  NOT NULL,
    updated_at           TIMESTAMP  NOT NULL,
    version              BIGINT       NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX access_integrations_entity ON access_integrations (entity_id);

CREATE TABLE access_credentials (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id              BIGINT       NOT NULL REFERENCES entities(id),
    member_id              BIGINT       NOT NULL,
    booking_id             BIGINT,
    provider               VARCHAR(32)  NOT NULL,
    external_credential_id VARCHAR(200) NOT NULL,
    is_active              BOOLEAN      NOT NULL,
    valid_from             TIMESTAMP,
    valid_until            TIMESTAMP,
    granted_at             TIMESTAMP  NOT NULL,
    revoked_at             TIMESTAMP,
    created_at             TIMESTAMP  NOT NULL
);
CREATE INDEX access_credentials_member ON access_credentials (entity_id, member_id);
CREATE INDEX access_credentials_booking ON access_credentials (booking_id, is_active);

CREATE TABLE access_jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id    BIGINT       NOT NULL REFERENCES entities(id),
    kind         VARCHAR(16)  NOT NULL,
    booking_id   BIGINT       NOT NULL,
    member_id    BIGINT       NOT NULL,
    member       TEXT         NOT NULL,
    valid_from   TIMESTAMP,
    valid_until  TIMESTAMP,
    event_id     VARCHAR(64),
    status       VARCHAR(24)  NOT NULL,
    attempts     INTEGER      NOT NULL DEFAULT 0,
    next_run_at  TIMESTAMP  NOT NULL,
    last_error   TEXT,
    created_at   TIMESTAMP  NOT NULL,
    updated_at   TIMESTAMP  NOT NULL
);
CREATE INDEX access_jobs_due ON access_jobs (status, next_run_at);
CREATE INDEX access_jobs_booking ON access_jobs (booking_id, status);
CREATE UNIQUE INDEX access_jobs_event ON access_jobs (event_id);

CREATE TABLE access_logs (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id              BIGINT       NOT NULL REFERENCES entities(id),
    job_id                 BIGINT,
    booking_id             BIGINT,
    member_id              BIGINT,
    action                 VARCHAR(16)  NOT NULL,
    provider               VARCHAR(32)  NOT NULL,
    outcome                VARCHAR(16)  NOT NULL,
    attempt                INTEGER      NOT NULL,
    external_credential_id VARCHAR(200),
    detail                 TEXT,
    created_at             TIMESTAMP  NOT NULL
);
CREATE INDEX access_logs_entity ON access_logs (entity_id, id);

CREATE TABLE integration_cursors (
    name     VARCHAR(64) PRIMARY KEY,
    last_id  BIGINT      NOT NULL
);
INSERT INTO integration_cursors (name, last_id) VALUES ('access', 0);

-- +goose Down
DROP TABLE integration_cursors;
DROP TABLE access_logs;
DROP TABLE access_jobs;
DROP TABLE access_credentials;
DROP TABLE access_integrations;
