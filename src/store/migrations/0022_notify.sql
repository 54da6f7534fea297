-- Notifications (src/notify/, docs/internals/notify.md).

-- What a member is told, once: the in-app centre shows the rows with
-- in_app = 1, and every channel's delivery renders from the same row.
-- user_id NULL is a server event, for the admins' channels only. A
-- producer's dedupe_key ("season.available:<item>") makes a second
-- notice of the same thing nothing, whatever runs or instances made it.
-- vars are the values the templates fill in (JSON strings).
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    dedupe_key TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    vars TEXT NOT NULL DEFAULT '{}',
    link TEXT,
    external_url TEXT,
    image_url TEXT,
    media_id TEXT,
    in_app INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE UNIQUE INDEX notifications_dedupe ON notifications (COALESCE(user_id, ''), dedupe_key);
CREATE INDEX notifications_user ON notifications (user_id, in_app, id);
CREATE INDEX notifications_created ON notifications (created_at);

-- A member's preferences as one document (notify/prefs.c checks it):
-- per event and channel a mode, quiet hours, platforms, whole-season mode.
CREATE TABLE notification_settings (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    doc TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Where notifications go. user_id NULL is a server channel. config is
-- sealed (store/sealed.h, context "channel:<id>"): URLs carry tokens, and
-- the channel's own key signs webhooks and unsubscribe links. target is
-- what may be shown of it (the URL's host, the mail address). options
-- are its settings that are not secret (a Gotify priority, a server
-- channel's events). failures counts failed attempts in a row; past the
-- limit the channel is paused until its owner resumes it.
CREATE TABLE notification_channels (
    id TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    target TEXT NOT NULL,
    config TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}',
    enabled INTEGER NOT NULL DEFAULT 1,
    failures INTEGER NOT NULL DEFAULT 0,
    paused_at BIGINT,
    pause_reason TEXT,
    last_success_at BIGINT,
    last_failure_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX notification_channels_user ON notification_channels (user_id, created_at);

-- Notifications waiting for a channel's digest, due at due_at.
CREATE TABLE notification_pending (
    channel_id TEXT NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
    notification_id TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    PRIMARY KEY (channel_id, notification_id)
);
CREATE INDEX notification_pending_due ON notification_pending (due_at);

-- The delivery log: one row per attempt. message_id is the delivery's
-- (its job's) id, the same on every attempt, as receivers de-duplicate by
-- it. The channel's kind and name are copied so that the log outlives it.
-- outcome: sent, failed, refused (the address is not allowed), skipped.
CREATE TABLE notification_deliveries (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    channel_id TEXT REFERENCES notification_channels (id) ON DELETE SET NULL,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    channel_kind TEXT NOT NULL,
    channel_name TEXT NOT NULL,
    event TEXT NOT NULL,
    summary TEXT NOT NULL,
    notifications INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms BIGINT NOT NULL DEFAULT 0,
    test INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX notification_deliveries_user ON notification_deliveries (user_id, id);
CREATE INDEX notification_deliveries_channel ON notification_deliveries (channel_id, id);
CREATE INDEX notification_deliveries_created ON notification_deliveries (created_at);
