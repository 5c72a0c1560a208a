// One promise per key, shared by the run pool's worker threads and `tasks export`, so a dataset or
// model is loaded once however many tasks use it.

/**
 * The promise cached under `key`, starting `load()` the first time. The promise itself is cached
 * (not its value), so concurrent callers wait on one load instead of starting their own.
 */
export function memo<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    cache.set(key, value);
  }
  return value;
}
