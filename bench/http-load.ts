// What the HTTP benchmarks share: percentiles of measured times, their Markdown row, and one autocannon run.
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';

/** The p-th quantile of times (nearest rank). */
export const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

/** A table row: the measure, how many times, p50, p95 and max, in ms. */
export const row = (what: string, xs: number[]) => `| ${what} | ${xs.length} | ${pct(xs, 0.5).toFixed(1)} ms | ${pct(xs, 0.95).toFixed(1)} ms | ${Math.max(...xs).toFixed(1)} ms |`;

/** One autocannon run on a route; any answer other than 2xx stops the bench. */
export async function load(url: string, path: string, o: { connections: number; duration: number }) {
  console.log(`autocannon ${path}`);
  const r = await autocannon({ url: url + path, connections: o.connections, duration: o.duration });
  if (r.non2xx || r.errors) throw new Error(`${path} : ${r.non2xx} réponses non 2xx, ${r.errors} erreurs`);
  return { path, rps: r.requests.average as number, p50: r.latency.p50 as number, p99: r.latency.p99 as number, total: r.requests.total as number };
}
