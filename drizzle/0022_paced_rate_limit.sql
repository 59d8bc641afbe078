CREATE TABLE "rate_limit_schedules" (
	"bucket" text PRIMARY KEY NOT NULL,
	"next_at" timestamp with time zone NOT NULL
);
