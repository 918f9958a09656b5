-- Pruning deletes finished deliveries older than WEBHOOK_KEEP_DAYS every hour: with this index it
-- reads only the rows past that age instead of walking the whole outbox to find there are none.
CREATE INDEX webhook_outbox_created_idx ON webhook_outbox (created_at);
