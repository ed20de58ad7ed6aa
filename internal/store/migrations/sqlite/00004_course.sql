-- +goose Up
-- Courses (seed step 5.5): a schedule (RRULE + local start time + duration in
-- SQLite: the same tables; an immediate transaction is the per-course lock.
-- the organisation's time zone), registrations with a wait list, attendance.
-- See docs/courses.md.
CREATE TABLE courses (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id          BIGINT        NOT NULL REFERENCES entities(id),
    name               TEXT  NOT NULL,
    description        TEXT,
    instructor_user_id BIGINT        REFERENCES users(id),
    instructor_name    TEXT,
    resource_id        BIGINT        REFERENCES resources(id),
    -- The resource booking (bookedForType COURSE) holding the current schedule's sessions.
    booking_id         BIGINT        REFERENCES resource_bookings(id),
    recurrence_rule    TEXT  NOT NULL,
    start_date         TEXT          NOT NULL,
    end_date           TEXT,
    start_time         TEXT    NOT NULL,
    duration_minutes   INTEGER       NOT NULL,
    max_participants   INTEGER,
    wait_list_enabled  BOOLEAN       NOT NULL DEFAULT FALSE,
    level_cd           TEXT,
    category_cd        TEXT,
    status_cd          TEXT   NOT NULL DEFAULT 'ACTIVE',
    image_url          TEXT,
    -- Sessions left out (skipped as conflicting), UTC instants, comma-separated.
    ex_dates           TEXT          NOT NULL DEFAULT '',
    -- Registration order counter. Every registration change first bumps it:
    -- that UPDATE is the per-course lock (row lock on PostgreSQL), and the
    -- value numbers registrations, so the wait list order has no ties.
    registration_seq   BIGINT        NOT NULL DEFAULT 0,
    created_at         TIMESTAMP     NOT NULL,
    updated_at         TIMESTAMP     NOT NULL,
    version            BIGINT        NOT NULL DEFAULT 1,
    CHECK (duration_minutes > 0),
    CHECK (max_participants IS NULL OR max_participants >= 0),
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX courses_entity_status ON courses (entity_id, status_cd);
CREATE INDEX courses_instructor ON courses (instructor_user_id);
CREATE INDEX courses_resource ON courses (resource_id);

CREATE TABLE course_registrations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id     BIGINT      NOT NULL REFERENCES entities(id),
    course_id     BIGINT      NOT NULL REFERENCES courses(id),
    member_id     BIGINT      NOT NULL REFERENCES members(id),
    status_cd     TEXT NOT NULL,
    seq           BIGINT      NOT NULL,
    registered_at TIMESTAMP   NOT NULL,
    promoted_at   TIMESTAMP  ,
    cancelled_at  TIMESTAMP  ,
    updated_at    TIMESTAMP   NOT NULL
);
-- At most one active (REGISTERED or WAIT_LIST) registration per member and course.
CREATE UNIQUE INDEX course_registrations_active ON course_registrations (course_id, member_id)
    WHERE status_cd IN ('REGISTERED', 'WAIT_LIST');
CREATE UNIQUE INDEX course_registrations_seq ON course_registrations (course_id, seq);
CREATE INDEX course_registrations_status ON course_registrations (course_id, status_cd, seq);
CREATE INDEX course_registrations_member ON course_registrations (entity_id, member_id);

CREATE TABLE course_attendance (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id         BIGINT      NOT NULL REFERENCES entities(id),
    course_id         BIGINT      NOT NULL REFERENCES courses(id),
    member_id         BIGINT      NOT NULL REFERENCES members(id),
    session_date      TEXT        NOT NULL,
    attended          BOOLEAN     NOT NULL,
    source_cd         TEXT NOT NULL,
    marked_by_user_id BIGINT      REFERENCES users(id),
    marked_at         TIMESTAMP   NOT NULL
);
CREATE UNIQUE INDEX course_attendance_session ON course_attendance (course_id, member_id, session_date);
CREATE INDEX course_attendance_course_date ON course_attendance (course_id, session_date);

-- +goose Down
DROP TABLE course_attendance;
DROP TABLE course_registrations;
DROP TABLE courses;
