import type postgres from "postgres";

type Client = postgres.Sql | postgres.TransactionSql;
type Callback = (client: Client) => unknown;

/** Session settings (e.g. `{ lock_timeout: "2s" }`) a client applies at the start of each of its transactions. */
export type TransactionSettings = Record<string, string>;

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
 *
 * Behind a transaction-mode pooler a connection's session settings would leak to whoever gets the server next (and
 * PgBouncer refuses them as startup parameters), so `transactionSettings` are applied with `set_config(…, true)` as
 * the first statement of every transaction instead: sent ahead of the transaction's own statements, no extra wait.
 */
export function preparingClient(client: postgres.Sql, transactionSettings?: TransactionSettings): postgres.Sql {
  const settings = transactionSettings && Object.keys(transactionSettings).length > 0 ? transactionSettings : null;
  return wrap(client, client.options.prepare !== false, settings);
}

/** One statement that applies `settings` for the rest of the current transaction. */
export function applySettings(client: Client | postgres.ReservedSql, settings: TransactionSettings) {
  const names = Object.keys(settings);
  const calls = names.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(", ");
  return client.unsafe(
    `select ${calls}`,
    names.flatMap((name) => [name, settings[name]!]),
  );
}

function wrap<T extends Client>(client: T, prepare: boolean, settings: TransactionSettings | null): T {
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
        const opening = property === "begin" ? settings : null;
        return (...args: unknown[]) => {
          const callback = args.at(-1) as Callback;
          return value.apply(target, [
            ...args.slice(0, -1),
            async (inner: Client) => {
              // Sent now, so it runs before anything the callback sends; awaited with the callback's result.
              const applied = opening ? applySettings(inner, opening).execute() : undefined;
              const [, result] = await Promise.all([applied, callback(wrap(inner, prepare, null))]);
              return result;
            },
          ]);
        };
      }
      return value;
    },
  });
}
