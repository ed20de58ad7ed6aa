-- +goose Up
-- Phone credentials (internal/phone, docs/phone-credentials.md).
--
-- phone_keys: the master secrets of the rotating phone tokens (QR door codes,
-- member passes, BLE). Generation n+1 replaces n (rotation); older generations
-- stay so that tokens of the previous key are accepted for one more time step
-- and BLE keys provisioned under them keep working until re-provisioned.
-- secret is sealed with the app keyring (internal/secret, aad
-- "phone_key:<generation>") when one is configured, else "raw:<base64>".
CREATE TABLE phone_keys (
    generation  BIGINT    PRIMARY KEY,
    secret      TEXT      NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- phone_token_uses: anti-replay. A QR door code may be redeemed once per
-- member (many members scan the same display); a member pass names its member,
-- so the same key makes it single-use. The primary key settles simultaneous
-- uses: exactly one insert wins. Rows are pruned after expires_at.
CREATE TABLE phone_token_uses (
    token_hash  VARCHAR(100) NOT NULL,
    member_id   BIGINT    NOT NULL,
    entity_id   BIGINT    NOT NULL REFERENCES entities(id),
    purpose     VARCHAR(100) NOT NULL,
    zone_id     BIGINT,
    used_at     TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (token_hash, member_id)
);
CREATE INDEX phone_token_uses_expiry ON phone_token_uses (expires_at);

-- phone_ble_keys: a member's provisioned BLE broadcast key. The key itself is
-- derived from the master key of generation key_gen, the member and the
-- handle; only the handle (broadcast in the advertisement) is stored.
CREATE TABLE phone_ble_keys (
    member_id   BIGINT    PRIMARY KEY REFERENCES members(id),
    entity_id   BIGINT    NOT NULL REFERENCES entities(id),
    handle      BIGINT    NOT NULL,
    key_gen     BIGINT    NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX phone_ble_keys_handle ON phone_ble_keys (entity_id, handle);

-- phone_ble_zones: the range limit of a zone (1, 3 or 5 m; default 3).
CREATE TABLE phone_ble_zones (
    zone_id     BIGINT    PRIMARY KEY,
    entity_id   BIGINT    NOT NULL REFERENCES entities(id),
    range_m     INTEGER   NOT NULL
);

-- phone_ble_readers: per-reader RSSI calibration (txPower at 1 m, path-loss
-- exponent).
CREATE TABLE phone_ble_readers (
    entity_id   BIGINT    NOT NULL REFERENCES entities(id),
    reader_id   VARCHAR(100) NOT NULL,
    tx_power    INTEGER   NOT NULL,
    path_loss   DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (entity_id, reader_id)
);

-- phone_ble_seen: de-duplication of advertisements. A token (one time step of
-- one phone) is decided at most once per zone; the insert that wins decides.
CREATE TABLE phone_ble_seen (
    token_hash  VARCHAR(100) NOT NULL,
    zone_id     BIGINT    NOT NULL,
    entity_id   BIGINT    NOT NULL,
    reader_id   VARCHAR(100),
    seen_at     TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (token_hash, zone_id)
);
CREATE INDEX phone_ble_seen_expiry ON phone_ble_seen (expires_at);

-- +goose Down
DROP TABLE phone_ble_seen;
DROP TABLE phone_ble_readers;
DROP TABLE phone_ble_zones;
DROP TABLE phone_ble_keys;
DROP TABLE phone_token_uses;
DROP TABLE phone_keys;
