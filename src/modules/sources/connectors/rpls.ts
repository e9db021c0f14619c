// RPLS by commune. The stock module reads the aggregate « commune × année de construction × DPE × pièces × type × QPV »
// (rpls_par_date); where the operator gets it from is configuration (HABITAT_SOURCE_RPLS_URL, a template with
// {millesime}), see docs/sources.md. Kept to the instance's communes, in the lake (one Parquet file per vintage).
import { join } from 'node:path';
import { AppError } from '../../../platform/errors.ts';
import { importRpls } from '../../stock/index.ts';
import { arrondissementsOf } from '../../territory/index.ts';
import type { Connector } from './types.ts';

const rplsUrl = (template: string, millesime: number) => template.replaceAll('{millesime}', String(millesime));

export const rplsConnector: Connector = async (run) => {
  const template = run.ctx.config.sourceUrls.rpls;
  if (!template)
    throw new AppError('sources.rpls_url', 'Adresse du RPLS non configurée : donnez-la dans HABITAT_SOURCE_RPLS_URL (modèle avec {millesime}), voir docs/sources.md.', 400);
  // RPLS describes the stock on 1 January; the vintage of year N is published at the end of year N.
  const years = run.options.years ?? [run.now.getUTCFullYear() - 1, run.now.getUTCFullYear()];
  const codes = run.communes.map((c) => c.code);
  const communes = new Set([...codes, ...(await arrondissementsOf(run.ctx.db, codes)).map((a) => a.code)]);
  const done: string[] = [];
  let lines = 0;
  let edition: string | null = null;
  for (const millesime of years) {
    const url = rplsUrl(template, millesime);
    let r;
    try {
      r = await run.fetchFile(url, join(run.dir, `rpls-${millesime}${url.endsWith('.gz') ? '.csv.gz' : '.csv'}`));
    } catch (err) {
      if (err instanceof AppError && err.code === 'download.introuvable') continue; // not published yet
      throw err;
    }
    if (r.status === 'unchanged') continue;
    const s = await importRpls(run.ctx.lake, r.path, { vintage: millesime, communes, perimeter: { epci: run.ctx.config.epciSirens } });
    if (s.status === 'refused') throw new AppError('sources.rpls_refused', `Fichier RPLS ${millesime} refusé : ${s.problems[0]?.message ?? 'format non reconnu'}.`, 422);
    if (s.status === 'already_imported') continue;
    lines += s.lines;
    edition = String(millesime);
    done.push(`RPLS ${millesime} : ${s.lines} lignes, ${s.dwellings} logements sur le territoire`);
  }
  if (!done.length) return { result: 'unchanged', edition: null, lines: 0, message: `Aucun millésime RPLS nouveau (${years.join(', ')}).` };
  return { result: 'imported', edition, lines, message: done.join(' ; ') };
};
