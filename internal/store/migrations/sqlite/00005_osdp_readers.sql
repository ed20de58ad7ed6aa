-- +goose Up
-- OSDP readers (internal/hal/osdpdoor): one row per reader (organisation, line,
-- address), created when a zone is bound to provider OSDP. The row outlives the
-- binding: it holds the reader's secure-channel key (SCBK), sealed with the
-- app keyring (internal/secret, aad "osdp_reader:<id>"), which the reader
-- keeps until it is factory-reset. The status columns are the last state the
-- manager saw (GET /api/access/readers).
CREATE TABLE osdp_readers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id       BIGINT    NOT NULL REFERENCES entities(id),
    zone_id         BIGINT    NOT NULL,
    line            TEXT      NOT NULL,
    address         INTEGER   NOT NULL,
    device_id       BIGINT,
    scbk_sealed     TEXT,
    key_confirmed   BOOLEAN   NOT NULL DEFAULT FALSE,
    online          BOOLEAN   NOT NULL DEFAULT FALSE,
    secure_channel  BOOLEAN   NOT NULL DEFAULT FALSE,
    tamper          BOOLEAN   NOT NULL DEFAULT FALSE,
    last_card_at    TIMESTAMP,
    last_seen_at    TIMESTAMP,
    last_error      TEXT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX osdp_readers_address ON osdp_readers (entity_id, line, address);

-- +goose Down
DROP TABLE osdp_readers;
