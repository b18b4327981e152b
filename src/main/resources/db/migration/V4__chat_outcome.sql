-- How a chat went (issue 16): the guest's rating (1-5) and comment, the operator's resolution
-- code. Columns beside the document so stats and the archive search read them without it.
ALTER TABLE chats ADD COLUMN rating INTEGER;
ALTER TABLE chats ADD COLUMN rating_comment TEXT;
ALTER TABLE chats ADD COLUMN resolution VARCHAR(32);
