-- The durable record (issue 15). Portable SQL: the same file migrates SQLite and PostgreSQL.
-- Times are microseconds since the epoch (BIGINT), so they sort and compare the same in both.

-- The set-up (queues, operators with password hashes, texting numbers): one versioned document,
-- replaced with compare-and-set on its version, as every node's editor expects.
CREATE TABLE directory (
  id INTEGER PRIMARY KEY,
  version BIGINT NOT NULL,
  doc TEXT NOT NULL
);

-- Chats as last recorded (when they ended, and in batches while they run); doc is the whole chat.
CREATE TABLE chats (
  id VARCHAR(64) PRIMARY KEY,
  created_at BIGINT NOT NULL,
  ended_at BIGINT,
  state VARCHAR(16) NOT NULL,
  recorded_queue VARCHAR(200),
  answered_queue VARCHAR(200),
  operator_id VARCHAR(200),
  channel VARCHAR(16),
  doc TEXT NOT NULL
);
CREATE INDEX chats_by_created ON chats (created_at);
CREATE INDEX chats_by_ended ON chats (ended_at);

CREATE TABLE messages (
  chat_id VARCHAR(64) NOT NULL,
  seq BIGINT NOT NULL,
  at BIGINT NOT NULL,
  sender VARCHAR(16) NOT NULL,
  name VARCHAR(500),
  body TEXT NOT NULL,
  PRIMARY KEY (chat_id, seq)
);

CREATE TABLE timelines (
  chat_id VARCHAR(64) PRIMARY KEY,
  doc TEXT NOT NULL
);

CREATE TABLE canned_responses (
  id VARCHAR(64) PRIMARY KEY,
  doc TEXT NOT NULL
);

CREATE TABLE offline_messages (
  id VARCHAR(64) PRIMARY KEY,
  created_at BIGINT NOT NULL,
  done BOOLEAN NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX offline_by_created ON offline_messages (created_at);

CREATE TABLE audit (
  id VARCHAR(40) PRIMARY KEY,
  at BIGINT NOT NULL,
  actor VARCHAR(200),
  action VARCHAR(100) NOT NULL,
  subject VARCHAR(200),
  detail TEXT
);
CREATE INDEX audit_by_at ON audit (at);
