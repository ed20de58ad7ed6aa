-- +goose Up
CREATE TABLE entities (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    timezone    TEXT  NOT NULL,
    created_at  TIMESTAMP  NOT NULL,
    version     BIGINT       NOT NULL DEFAULT 1
);

CREATE TABLE members (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id     BIGINT       NOT NULL REFERENCES entities(id),
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    email         TEXT NOT NULL,
    phone         TEXT,
    member_number TEXT  NOT NULL,
    created_at    TIMESTAMP  NOT NULL,
    updated_at    TIMESTAMP  NOT NULL,
    version       BIGINT       NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX members_entity_number ON members (entity_id, member_number);
CREATE UNIQUE INDEX members_entity_email ON members (entity_id, email);
CREATE INDEX members_entity_name ON members (entity_id, last_name, first_name);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id     BIGINT       NOT NULL REFERENCES entities(id),
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT  NOT NULL,
    member_id     BIGINT REFERENCES members(id),
    created_at    TIMESTAMP  NOT NULL,
    version       BIGINT       NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT      NOT NULL REFERENCES users(id),
    token_hash  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);
CREATE UNIQUE INDEX sessions_token ON sessions (token_hash);

CREATE TABLE login_failures (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    email       TEXT NOT NULL,
    address     TEXT  NOT NULL,
    failed_at   TIMESTAMP  NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, failed_at);
CREATE INDEX login_failures_address ON login_failures (address, failed_at);

CREATE TABLE devices (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id     BIGINT       NOT NULL REFERENCES entities(id),
    name          TEXT NOT NULL,
    kind          TEXT  NOT NULL,
    zone_id       BIGINT,
    key_hash      TEXT  NOT NULL,
    key_prefix    TEXT  NOT NULL,
    created_at    TIMESTAMP  NOT NULL,
    revoked_at    TIMESTAMP,
    last_seen_at  TIMESTAMP,
    version       BIGINT       NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX devices_key ON devices (key_hash);
CREATE INDEX devices_entity ON devices (entity_id);

CREATE TABLE contract_templates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id   BIGINT       NOT NULL REFERENCES entities(id),
    name        TEXT NOT NULL,
    tier_cd     TEXT  NOT NULL,
    tier_rank   INTEGER      NOT NULL,
    created_at  TIMESTAMP  NOT NULL,
    version     BIGINT       NOT NULL DEFAULT 1
);
CREATE INDEX contract_templates_entity ON contract_templates (entity_id);

CREATE TABLE contracts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id    BIGINT      NOT NULL REFERENCES entities(id),
    member_id    BIGINT      NOT NULL REFERENCES members(id),
    template_id  BIGINT      NOT NULL REFERENCES contract_templates(id),
    start_date   TEXT        NOT NULL,
    end_date     TEXT,
    status_cd    TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      BIGINT      NOT NULL DEFAULT 1,
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX contracts_member ON contracts (entity_id, member_id, status_cd);

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT  NOT NULL,
    entity_id    BIGINT       NOT NULL,
    type         TEXT NOT NULL,
    occurred_at  TIMESTAMP  NOT NULL,
    data         TEXT         NOT NULL,
    published_at TIMESTAMP
);
CREATE UNIQUE INDEX outbox_event ON outbox (event_id);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

-- +goose Down
DROP TABLE outbox;
DROP TABLE contracts;
DROP TABLE contract_templates;
DROP TABLE devices;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE members;
DROP TABLE entities;
