// DPE of dwellings (ADEME, data-fair API), existing (dpe03existant) and new (dpe02neuf), commune by commune:
//   {base}/data-fair/api/v1/datasets/{dataset}/lines?size=10000&select=…&qs=code_insee_ban:"{code}"
// Each JSON page gives `results` and, while there are more, `next` (the URL of the following page, with `after=`).
// The lines are written to one CSV per dataset in ADEME's snake_case layout, sorted, and imported by the stock module:
// unchanged content means the same file, which the stock import recognises (sha256) and skips.
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../platform/errors.ts';
import { DPE_LAYOUTS, importDpe } from '../../stock/index.ts';
import { arrondissementsOf } from '../../territory/index.ts';
import { DPE_DATASETS } from '../model.ts';
import { baseUrl, type Connector } from './types.ts';

const FIELDS = Object.values(DPE_LAYOUTS['ademe-snake-case']);
const PAGE_SIZE = 10_000;
const MAX_PAGES = 1_000; // a commune's worth is far below; a loop in `next` links must not run forever

const dpeUrl = (base: string, dataset: string, code: string) =>
  `${baseUrl(base)}/data-fair/api/v1/datasets/${dataset}/lines?size=${PAGE_SIZE}&select=${FIELDS.join(',')}&qs=${encodeURIComponent(`code_insee_ban:"${code}"`)}`;

const csvCell = (v: unknown) => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const dpeConnector: Connector = async (run) => {
  const codes = run.communes.map((c) => c.code);
  const arr = await arrondissementsOf(run.ctx.db, codes);
  const parents = new Set(arr.map((a) => a.parent));
  // Lyon's DPEs carry 69381…69389, not 69123: ask for the arrondissements instead of their city.
  const queried = [...codes.filter((c) => !parents.has(c)), ...arr.map((a) => a.code)].sort();
  const pagesDir = join(run.dir, 'pages');
  let lines = 0;
  let imported = 0;
  let latest = '';
  const parts: string[] = [];
  for (const dataset of DPE_DATASETS) {
    const rows = new Map<string, Record<string, unknown>>();
    for (const code of queried) {
      let url: string | undefined = dpeUrl(run.ctx.config.sourceUrls.ademe, dataset, code);
      for (let page = 1; url; page++) {
        if (page > MAX_PAGES) throw new AppError('sources.dpe_pages', `Trop de pages DPE pour la commune ${code} (${dataset}).`, 502);
        const r = await run.fetchFile(url, join(pagesDir, `${dataset}-${code}-${page}.json`), { conditional: false, record: false });
        if (r.status !== 'downloaded') throw new AppError('sources.dpe_page', `Page DPE inattendue (${url}).`, 502);
        let body: { results?: Record<string, unknown>[]; next?: string };
        try {
          body = JSON.parse(readFileSync(r.path, 'utf8'));
        } catch {
          throw new AppError('sources.dpe_json', `Réponse illisible de l’API DPE de l’ADEME (${url}).`, 502);
        }
        if (!Array.isArray(body.results)) throw new AppError('sources.dpe_json', `Réponse inattendue de l’API DPE de l’ADEME : pas de « results » (${url}).`, 502);
        for (const line of body.results) if (typeof line.numero_dpe === 'string') rows.set(line.numero_dpe, line);
        url = body.results.length && typeof body.next === 'string' ? body.next : undefined;
      }
    }
    const path = join(run.dir, `${dataset}.csv`);
    mkdirSync(run.dir, { recursive: true });
    const out = createWriteStream(path);
    out.write(FIELDS.join(',') + '\n');
    for (const key of [...rows.keys()].sort()) {
      const line = rows.get(key)!;
      out.write(FIELDS.map((f) => csvCell(line[f])).join(',') + '\n');
      const d = String(line.date_reception_dpe ?? '');
      if (d > latest) latest = d;
    }
    out.end();
    await once(out, 'close');
    const s = await importDpe(run.ctx.db, path);
    if (s.status === 'refused') throw new AppError('sources.dpe_refused', `Fichier DPE ${dataset} refusé : ${s.problems[0]?.message ?? 'format non reconnu'}.`, 422);
    if (s.status === 'already_imported') continue;
    imported++;
    lines += s.lines;
    parts.push(`${dataset} : ${s.lines} DPE lus, ${s.accepted} enregistrés, ${s.problems.length} rejetés`);
  }
  rmSync(pagesDir, { recursive: true, force: true });
  const edition = latest ? `réceptions jusqu’au ${latest.slice(0, 10)}` : null;
  if (!imported) return { result: 'unchanged', edition, lines: 0, message: `Aucun DPE nouveau pour ${queried.length} commune(s).` };
  return { result: 'imported', edition, lines, message: parts.join(' ; ') };
};
