import type { DbOrTx } from "../../db/client";

/**
 * Queries built and prepared once per database instead of on every call (building a query and preparing its SQL
 * can take as long as running it). They are kept per database session, which a handle and its transactions share,
 * so a transaction runs the same statements on its connection. Only statements are kept, never their results.
 */
export function preparedPerDatabase<T>(prepare: (db: DbOrTx) => T): (db: DbOrTx) => T {
  const kept = new WeakMap<object, T>();
  return (db) => {
    const key = (db as unknown as { session?: object }).session ?? db;
    let queries = kept.get(key);
    if (!queries) kept.set(key, (queries = prepare(db)));
    return queries;
  };
}
