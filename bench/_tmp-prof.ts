import { importDvf } from '../src/modules/market/ingest/import.ts';
import { rmSync } from 'node:fs';
rmSync('/tmp/mk/proflake', { recursive: true, force: true });
const t = performance.now();
let first = 0;
const s = await importDvf('/tmp/mk/proflake', ['/tmp/mk/bench/dvf-synthetique-200000.csv'], { beforeSwap: () => { console.log('merge+parse done', (performance.now() - t) / 1000); } });
console.log('total', (performance.now() - t) / 1000, s.lus);
