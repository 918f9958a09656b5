-- Indexes on columns that reference customers and had none: deleting a customer (the bench's
-- cleanup, an erasure request) checked each of these by scanning the whole table.
CREATE INDEX customers_merged_into_idx ON customers (merged_into_id) WHERE merged_into_id IS NOT NULL;
CREATE INDEX cross_sell_prompts_customer_idx ON cross_sell_prompts (customer_id);
CREATE INDEX follow_ups_call_idx ON follow_ups (call_id) WHERE call_id IS NOT NULL;
CREATE INDEX tickets_call_idx ON tickets (call_id) WHERE call_id IS NOT NULL;
