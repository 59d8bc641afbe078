// Imported first by bench/run.ts: the benchmarks' own process logs warnings only (pino writes each info line
// synchronously; at thousands of refunds that was a quarter of the bulk benchmark's CPU, none of it the console's).
process.env.LOG_LEVEL ??= "warn";
