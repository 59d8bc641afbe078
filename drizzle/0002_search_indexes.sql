-- Free-text search on the orders list (description, partial order numbers) stays indexed at a million rows.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX orders_description_trgm_idx ON orders USING gin (description gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX orders_out_trade_no_trgm_idx ON orders USING gin (out_trade_no gin_trgm_ops);
