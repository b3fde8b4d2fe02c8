/**
 * Kept answers of a pure function, by a key the caller builds: `kept(key, make)` returns the answer kept for `key`, or
 * makes, keeps and returns it. Emptied when it reaches `limit` keys, so a stream of new keys cannot grow it forever.
 */
export function memo<T>(limit: number): (key: string, make: () => T) => T {
  const kept = new Map<string, T>();
  return (key, make) => {
    let value = kept.get(key);
    if (value === undefined) {
      value = make();
      if (kept.size >= limit) kept.clear();
      kept.set(key, value);
    }
    return value;
  };
}
