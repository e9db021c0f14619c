import { readDvfFile } from '../src/modules/market/ingest/read.ts';
import { geodvfMapper } from '../src/modules/market/ingest/formats.ts';
const f = '/tmp/mk/bench/dvf-synthetique-200000.csv';
let c = process.cpuUsage(); let n = 0;
await readDvfFile(f, 'geodvf', { header() {}, record() { n++; }, malformed() {} });
let u = process.cpuUsage(c); console.log('read cpu', (u.user + u.system) / 1e6, n);
let map: any; c = process.cpuUsage(); n = 0;
await readDvfFile(f, 'geodvf', { header(h) { map = geodvfMapper(h); }, record(r, l) { if (map(r, l).ok) n++; }, malformed() {} });
u = process.cpuUsage(c); console.log('read+map cpu', (u.user + u.system) / 1e6, n);
