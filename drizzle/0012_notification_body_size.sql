ALTER TABLE "notifications" ADD COLUMN "raw_body_bytes" integer;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "raw_body_sha256" text;