import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
const f = '/tmp/mk/bench/dvf-synthetique-200000.csv';
async function run(label: string, opts: any) {
  const t = performance.now(); let n = 0;
  const p = createReadStream(f, { highWaterMark: 1 << 20 }).pipe(parse(opts));
  for await (const r of p) n++;
  console.log(label, ((performance.now() - t) / 1000).toFixed(2), n);
}
await run('plain', {});
await run('info', { info: true });
await run('all', { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, skip_records_with_error: true, info: true });
const t = performance.now(); let n = 0;
for await (const chunk of createReadStream(f, { highWaterMark: 1 << 20, encoding: 'utf8' })) { for (const line of (chunk as string).split('\n')) { line.split(','); n++; } }
console.log('split', ((performance.now() - t) / 1000).toFixed(2), n);
