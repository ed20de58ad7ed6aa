-- +goose Up
-- Access control: zones, rules, credentials, check-ins and the remote-unlock
-- audit. The two invariants that must hold under concurrency and across
-- replicas are enforced here, not in process memory:
--   * occupancy: the service increments current_occupancy with a conditional
--     UPDATE (… WHERE current_occupancy < max_occupancy) and checks rows affected;
--   * anti-passback: check_ins_open admits one open GRANTED check-in per member
--     and zone (zone NULL = the main entrance, folded to 0 for the index).
CREATE TABLE access_zones (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id              BIGINT    NOT NULL REFERENCES entities(id),
    name                   TEXT      NOT NULL,
    type_cd                TEXT      NOT NULL,
    parent_zone_id         BIGINT    REFERENCES access_zones(id),
    max_occupancy          INTEGER,
    current_occupancy      INTEGER   NOT NULL DEFAULT 0,
    requires_contract_tier TEXT,
    reset_time             TEXT      NOT NULL DEFAULT '00:00',
    last_reset_at          TIMESTAMP,
    door_provider          TEXT      NOT NULL DEFAULT 'SIMULATED',
    door_external_id       TEXT,
    door_settings          TEXT      NOT NULL DEFAULT '{}',
    active                 INTEGER   NOT NULL DEFAULT 1,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    version                BIGINT    NOT NULL DEFAULT 1,
    CHECK (current_occupancy >= 0),
    CHECK (max_occupancy IS NULL OR max_occupancy >= 1)
);
CREATE INDEX access_zones_entity ON access_zones (entity_id, parent_zone_id);

CREATE TABLE access_rules (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id   BIGINT    NOT NULL REFERENCES entities(id),
    zone_id     BIGINT    NOT NULL REFERENCES access_zones(id),
    name        TEXT      NOT NULL,
    rule_cd     TEXT      NOT NULL,
    config      TEXT      NOT NULL,
    priority    INTEGER   NOT NULL DEFAULT 0,
    active      INTEGER   NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     BIGINT    NOT NULL DEFAULT 1
);
CREATE INDEX access_rules_zone ON access_rules (entity_id, zone_id);

CREATE TABLE credentials (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id     BIGINT    NOT NULL REFERENCES entities(id),
    member_id     BIGINT    NOT NULL REFERENCES members(id),
    type_cd       TEXT      NOT NULL,
    identifier    TEXT      NOT NULL,
    status_cd     TEXT      NOT NULL DEFAULT 'ACTIVE',
    external_id   TEXT,
    issued_at     TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP,
    last_used_at  TIMESTAMP,
    updated_at    TIMESTAMP NOT NULL,
    version       BIGINT    NOT NULL DEFAULT 1
);
CREATE INDEX credentials_member ON credentials (member_id, status_cd);
-- An identifier names one credential per organisation until it is revoked; a
-- revoked card number may be issued again.
CREATE UNIQUE INDEX credentials_identifier ON credentials (entity_id, identifier) WHERE status_cd <> 'REVOKED';
CREATE INDEX credentials_lookup ON credentials (entity_id, identifier);

CREATE TABLE check_ins (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id          BIGINT    NOT NULL REFERENCES entities(id),
    member_id          BIGINT    REFERENCES members(id),
    zone_id            BIGINT    REFERENCES access_zones(id),
    method_cd          TEXT      NOT NULL,
    direction_cd       TEXT      NOT NULL,
    status_cd          TEXT      NOT NULL,
    denial_code        TEXT,
    denial_reason      TEXT,
    credential_id      BIGINT    REFERENCES credentials(id),
    credential_hint    TEXT,
    device_id          TEXT,
    event_id           TEXT,
    checked_in_at      TIMESTAMP NOT NULL,
    checked_out_at     TIMESTAMP,
    checkout_reason_cd TEXT,
    created_at         TIMESTAMP NOT NULL,
    version            BIGINT    NOT NULL DEFAULT 1,
    -- Only a denial may lack a member (an unknown card).
    CHECK (status_cd = 'DENIED' OR member_id IS NOT NULL)
);
CREATE INDEX check_ins_member ON check_ins (entity_id, member_id, checked_in_at);
CREATE INDEX check_ins_zone_direction ON check_ins (zone_id, direction_cd);
CREATE INDEX check_ins_credential ON check_ins (credential_id);
CREATE INDEX check_ins_feed ON check_ins (entity_id, checked_in_at);
CREATE UNIQUE INDEX check_ins_open ON check_ins (entity_id, member_id, COALESCE(zone_id, 0))
    WHERE status_cd = 'GRANTED' AND checked_out_at IS NULL;
CREATE INDEX check_ins_open_zone ON check_ins (zone_id, checked_in_at)
    WHERE status_cd = 'GRANTED' AND checked_out_at IS NULL;
-- A device may resend an event; the first result stands.
CREATE UNIQUE INDEX check_ins_event ON check_ins (entity_id, device_id, event_id) WHERE event_id IS NOT NULL;

CREATE TABLE door_unlocks (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id         BIGINT    NOT NULL REFERENCES entities(id),
    zone_id           BIGINT    NOT NULL REFERENCES access_zones(id),
    user_id           BIGINT    REFERENCES users(id),
    actor             TEXT      NOT NULL,
    duration_seconds  INTEGER   NOT NULL,
    provider          TEXT      NOT NULL,
    external_door_id  TEXT      NOT NULL,
    success           INTEGER   NOT NULL,
    message           TEXT      NOT NULL,
    requested_at      TIMESTAMP NOT NULL
);
CREATE INDEX door_unlocks_entity ON door_unlocks (entity_id, requested_at);

-- devices.zone_id now has a table to point at. SQLite cannot add a foreign key
-- to an existing table, so the table is rebuilt (nothing references devices).
CREATE TABLE devices_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id     BIGINT    NOT NULL REFERENCES entities(id),
    name          TEXT      NOT NULL,
    kind          TEXT      NOT NULL,
    zone_id       BIGINT    REFERENCES access_zones(id),
    key_hash      TEXT      NOT NULL,
    key_prefix    TEXT      NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    revoked_at    TIMESTAMP,
    last_seen_at  TIMESTAMP,
    version       BIGINT    NOT NULL DEFAULT 1
);
INSERT INTO devices_new (id, entity_id, name, kind, zone_id, key_hash, key_prefix, created_at, revoked_at, last_seen_at, version)
    SELECT id, entity_id, name, kind, NULL, key_hash, key_prefix, created_at, revoked_at, last_seen_at, version FROM devices;
DROP TABLE devices;
ALTER TABLE devices_new RENAME TO devices;
CREATE UNIQUE INDEX devices_key ON devices (key_hash);
CREATE INDEX devices_entity ON devices (entity_id);

-- +goose Down
CREATE TABLE devices_old (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id     BIGINT    NOT NULL REFERENCES entities(id),
    name          TEXT      NOT NULL,
    kind          TEXT      NOT NULL,
    zone_id       BIGINT,
    key_hash      TEXT      NOT NULL,
    key_prefix    TEXT      NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    revoked_at    TIMESTAMP,
    last_seen_at  TIMESTAMP,
    version       BIGINT    NOT NULL DEFAULT 1
);
INSERT INTO devices_old SELECT id, entity_id, name, kind, zone_id, key_hash, key_prefix, created_at, revoked_at, last_seen_at, version FROM devices;
DROP TABLE devices;
ALTER TABLE devices_old RENAME TO devices;
CREATE UNIQUE INDEX devices_key ON devices (key_hash);
CREATE INDEX devices_entity ON devices (entity_id);
DROP TABLE door_unlocks;
DROP TABLE check_ins;
DROP TABLE credentials;
DROP TABLE access_rules;
DROP TABLE access_zones;
