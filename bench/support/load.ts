import autocannon from "autocannon";

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
  const result = await autocannon({
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
  });
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / (result.duration || 1),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    durationSeconds: result.duration,
  };
}
