-- The id a guest's or operator's client gave a message, so a resend after a one-node restart is
-- recognised as the message already stored (issue 15).
ALTER TABLE messages ADD COLUMN client_id VARCHAR(128);
CREATE INDEX chats_in_flight ON chats (ended_at, created_at);
