-- +goose Up
-- A member's calendar feed of its own courses (GET /api/me/courses.ics?token=…,
-- internal/course): one token per member, stored as its SHA-256 only. Issuing
-- a new one replaces the row, so the old token stops working.
CREATE TABLE course_feed_tokens (
    member_id   BIGINT    PRIMARY KEY REFERENCES members(id),
    entity_id   BIGINT    NOT NULL REFERENCES entities(id),
    token_hash  TEXT      NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX course_feed_tokens_hash ON course_feed_tokens (token_hash);

-- +goose Down
DROP TABLE course_feed_tokens;
