import type postgres from "postgres";

type Client = postgres.Sql | postgres.TransactionSql;
type Callback = (client: Client) => unknown;

/**
 * The postgres.js client as drizzle should use it. drizzle-orm's postgres.js driver (0.45) sends every query through
 * `unsafe(text, params, { prepare: false })` unless the query was given a name (drizzle-team/drizzle-orm#6096), and
 * postgres.js then has the server describe each parameterised statement before running it: two round trips per
 * query, and a connection that cannot pipeline the next one meanwhile. Profiles of the callback route showed it as
 * the largest single cost (docs/adr/007-prepared-statements.md).
 *
 * This client prepares them instead, as postgres.js does for its own tagged queries — unless the client was created
 * with `prepare: false` (a transaction-mode pooler), which it respects. postgres.js keeps one named statement per
 * query text and connection; connections are replaced after 30–60 minutes, which bounds that cache.
 */
export function preparingClient(client: postgres.Sql): postgres.Sql {
  return wrap(client, client.options.prepare !== false);
}

function wrap<T extends Client>(client: T, prepare: boolean): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (property === "unsafe") {
        return (query: string, params: unknown[] = [], options: Record<string, unknown> = {}) =>
          value.call(target, query, params, { ...options, prepare });
      }
      // Transactions and savepoints hand their callback a client of their own: that one must prepare too.
      if (property === "begin" || property === "savepoint") {
        return (...args: unknown[]) => {
          const callback = args.at(-1) as Callback;
          return value.apply(target, [...args.slice(0, -1), (inner: Client) => callback(wrap(inner, prepare))]);
        };
      }
      return value;
    },
  });
}
