// Demo data: the real DVF samples in data/demo/dvf (Rhône 2018 for the Métropole de Lyon, plus Abzac and Hendaye).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../../platform/context.ts';
import { importDvf } from './ingest/import.ts';
import { readManifest } from './lake.ts';
import { sha256File } from '../../platform/files.ts';

export const DEMO_DVF_DIR = join(import.meta.dirname, '..', '..', '..', 'data', 'demo', 'dvf');

export async function loadMarketDemo(ctx: AppContext): Promise<void> {
  const files = readdirSync(DEMO_DVF_DIR).filter((f) => f.endsWith('.csv')).map((f) => join(DEMO_DVF_DIR, f));
  const known = new Set(readManifest(ctx.lake.dir).files.map((f) => f.sha256));
  const missing: string[] = [];
  for (const f of files) if (!known.has(await sha256File(f))) missing.push(f);
  if (!missing.length) return;
  const s = await importDvf(ctx.lake.dir, missing);
  ctx.log.info({ lus: s.lus, gardes: s.gardes, doublons: s.doublons, rejetes: s.rejetes }, 'démo DVF importée');
}
