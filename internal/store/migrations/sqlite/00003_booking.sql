-- +goose Up
-- Resources and the booking calendar; see the PostgreSQL migration for the
-- model. SQLite has no exclusion constraints: the triggers at the end refuse
-- an active slot that overlaps another active slot of the same resource. They
-- run inside the writer's transaction (SQLite has one writer at a time), so a
-- check and its insert can never interleave with another writer's.
CREATE TABLE resources (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id            BIGINT     NOT NULL REFERENCES entities(id),
    name                 TEXT       NOT NULL,
    type_cd              TEXT       NOT NULL,
    description          TEXT,
    capacity             INTEGER,
    location_description TEXT,
    zone_id              BIGINT,
    image_url            TEXT,
    maintenance_schedule TEXT       NOT NULL DEFAULT '{}',
    maintenance_until    TIMESTAMP,
    status_cd            TEXT       NOT NULL DEFAULT 'AVAILABLE',
    sort_order           INTEGER    NOT NULL DEFAULT 0,
    feed_token_hash      TEXT,
    created_at           TIMESTAMP  NOT NULL,
    updated_at           TIMESTAMP  NOT NULL,
    version              BIGINT     NOT NULL DEFAULT 1,
    CHECK (capacity IS NULL OR capacity >= 0)
);
CREATE INDEX resources_entity_type_status ON resources (entity_id, type_cd, status_cd);
CREATE UNIQUE INDEX resources_feed_token ON resources (feed_token_hash);

CREATE TABLE resource_bookings (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id          BIGINT     NOT NULL REFERENCES entities(id),
    resource_id        BIGINT     NOT NULL REFERENCES resources(id),
    title              TEXT       NOT NULL,
    start_at           TIMESTAMP  NOT NULL,
    end_at             TIMESTAMP  NOT NULL,
    first_start        TIMESTAMP  NOT NULL,
    recurrence_rule    TEXT,
    ex_dates           TEXT       NOT NULL DEFAULT '',
    booked_by_user_id  BIGINT     NOT NULL REFERENCES users(id),
    booked_for_type    TEXT       NOT NULL,
    booked_for_id      BIGINT,
    status_cd          TEXT       NOT NULL DEFAULT 'CONFIRMED',
    notes              TEXT,
    series_end         TIMESTAMP,
    materialised_until TIMESTAMP,
    created_at         TIMESTAMP  NOT NULL,
    updated_at         TIMESTAMP  NOT NULL,
    version            BIGINT     NOT NULL DEFAULT 1,
    CHECK (end_at > start_at)
);
CREATE INDEX resource_bookings_resource_time ON resource_bookings (resource_id, start_at, end_at);
CREATE INDEX resource_bookings_resource_end ON resource_bookings (resource_id, series_end);
CREATE INDEX resource_bookings_for ON resource_bookings (entity_id, booked_for_type, booked_for_id);
CREATE INDEX resource_bookings_status_end ON resource_bookings (status_cd, series_end);
CREATE INDEX resource_bookings_horizon ON resource_bookings (materialised_until) WHERE materialised_until IS NOT NULL;

CREATE TABLE booking_overrides (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id      BIGINT    NOT NULL REFERENCES entities(id),
    booking_id     BIGINT    NOT NULL REFERENCES resource_bookings(id),
    original_start TIMESTAMP NOT NULL,
    start_at       TIMESTAMP NOT NULL,
    end_at         TIMESTAMP NOT NULL,
    status_cd      TEXT      NOT NULL DEFAULT 'CONFIRMED',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    CHECK (end_at > start_at)
);
CREATE UNIQUE INDEX booking_overrides_original ON booking_overrides (booking_id, original_start);
CREATE INDEX booking_overrides_time ON booking_overrides (booking_id, start_at);

CREATE TABLE booking_slots (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id        BIGINT    NOT NULL REFERENCES entities(id),
    resource_id      BIGINT    NOT NULL REFERENCES resources(id),
    booking_id       BIGINT    REFERENCES resource_bookings(id),
    kind             TEXT      NOT NULL,
    window_no        INTEGER,
    occurrence_start TIMESTAMP NOT NULL,
    start_at         TIMESTAMP NOT NULL,
    end_at           TIMESTAMP NOT NULL,
    active           BOOLEAN   NOT NULL,
    CHECK (end_at > start_at)
);
CREATE INDEX booking_slots_active ON booking_slots (resource_id, start_at) WHERE active;
CREATE INDEX booking_slots_resource_kind ON booking_slots (resource_id, kind, start_at);
CREATE UNIQUE INDEX booking_slots_occurrence ON booking_slots (booking_id, occurrence_start);

-- Active slots of one resource are pairwise disjoint (the invariant itself), so
-- if any active slot overlaps [NEW.start_at, NEW.end_at), the one with the
-- latest start before NEW.end_at does: one index seek per slot written.
-- Instants are fixed-width UTC text, so text order is time order.
-- +goose StatementBegin
CREATE TRIGGER booking_slots_no_overlap_insert BEFORE INSERT ON booking_slots
WHEN NEW.active
BEGIN
    SELECT RAISE(ABORT, 'booking_slots_no_overlap: the resource is already booked at that time')
    WHERE (SELECT s.end_at FROM booking_slots s
           WHERE s.resource_id = NEW.resource_id AND s.active AND s.start_at < NEW.end_at
           ORDER BY s.start_at DESC LIMIT 1) > NEW.start_at;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER booking_slots_no_overlap_update BEFORE UPDATE OF active, start_at, end_at, resource_id ON booking_slots
WHEN NEW.active
BEGIN
    SELECT RAISE(ABORT, 'booking_slots_no_overlap: the resource is already booked at that time')
    WHERE (SELECT s.end_at FROM booking_slots s
           WHERE s.resource_id = NEW.resource_id AND s.active AND s.start_at < NEW.end_at AND s.id <> NEW.id
           ORDER BY s.start_at DESC LIMIT 1) > NEW.start_at;
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE booking_slots;
DROP TABLE booking_overrides;
DROP TABLE resource_bookings;
DROP TABLE resources;
