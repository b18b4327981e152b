-- A running chat's messages as the one-node journal puts them into the record (issue 15): one row
-- per chat per drain, its messages as JSON lines, instead of one row per message. A row per
-- message cost the drain 3.2 µs a message on the relay bench's machine, in bursts that held up
-- the message path (docs/BENCHMARKS.md). The rows become rows of messages when the chat ends,
-- in the transaction that records its end. Readers of a running chat's messages merge both
-- tables by seq; a message in both (a drain retried after a failure) counts once.
CREATE TABLE message_chunks (
  chat_id VARCHAR(64) NOT NULL,
  first_seq BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  lines TEXT NOT NULL,
  PRIMARY KEY (chat_id, first_seq, last_seq)
);
