import autocannon, { type Result } from "autocannon";

export interface PreparedRequest {
  method: "POST" | "GET";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  durationSeconds: number;
}

/** Sends each prepared request exactly once over `connections` keep-alive connections, as fast as they are answered. */
export async function sendAll(
  url: string,
  prepared: readonly PreparedRequest[],
  connections = 50,
): Promise<LoadResult> {
  let next = 0;
  const started = performance.now();
  let lastAnswer = started;
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        amount: prepared.length,
        timeout: 30,
        requests: [
          {
            // One shared counter across connections: every request is distinct, none is sent twice.
            setupRequest: (request) => {
              const p = prepared[next++ % prepared.length]!;
              return { ...request, method: p.method, path: p.path, headers: p.headers, body: p.body };
            },
          },
        ],
      },
      (error, finished) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(finished),
    );
    instance.on("response", () => {
      lastAnswer = performance.now();
    });
  });
  // From the start to the last answer: autocannon's own duration ends at its next whole-second tick, which made a
  // 5,000-request run of 4.2 s count as 5 s (a sixth too slow) and the rates step by whole seconds.
  const durationSeconds = (lastAnswer - started) / 1000;
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / (durationSeconds || 1),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    durationSeconds,
  };
}
