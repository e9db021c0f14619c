// A small bounded cache of computed answers (least recently used goes first), emptied whenever the data they were
// computed from changes: `version()` is read at every lookup (for the lake, lake-swap.ts `datasetVersion`).
export class AnswerCache {
  private version = '';
  private readonly entries = new Map<string, Promise<unknown>>();

  constructor(
    private readonly currentVersion: () => string,
    private readonly max = 300,
  ) {}

  /** The answer under `key`, computed once; a failed computation is not kept. */
  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const v = this.currentVersion();
    if (v !== this.version) {
      this.version = v;
      this.entries.clear();
    }
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key); // re-inserted: a Map's order is the recency order
      this.entries.set(key, hit);
      return hit as Promise<T>;
    }
    const p = compute();
    this.entries.set(key, p);
    p.catch(() => this.entries.delete(key));
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return p;
  }
}
