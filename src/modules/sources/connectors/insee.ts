// INSEE comparateur de territoires: one zip, national, a few megabytes,
//   {base}/fr/statistiques/fichier/2521169/base_cc_comparateur_csv.zip  (holds base_cc_comparateur.csv)
// imported whole by the observatory module as one edition (per commune, every commune of France).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../platform/errors.ts';
import { readZipEntry } from '../../../platform/zip.ts';
import { importInsee } from '../../observatory/index.ts';
import { INSEE_COMPARATEUR_PATH } from '../model.ts';
import { baseUrl, type Connector } from './types.ts';

const inseeUrl = (base: string) => `${baseUrl(base)}${INSEE_COMPARATEUR_PATH}`;

export const inseeConnector: Connector = async (run) => {
  const r = await run.fetchFile(inseeUrl(run.ctx.config.sourceUrls.insee), join(run.dir, 'base_cc_comparateur_csv.zip'));
  if (r.status === 'unchanged') return { result: 'unchanged', edition: null, lines: 0, message: 'Comparateur de territoires inchangé chez l’Insee.' };
  const csv = join(run.dir, 'base_cc_comparateur.csv');
  writeFileSync(csv, readZipEntry(r.path, 'base_cc_comparateur.csv'));
  const s = await importInsee(run.ctx.db, csv, { publishedAt: r.lastModified?.toISOString().slice(0, 10) ?? null });
  if (s.status === 'refused') throw new AppError('sources.insee_refused', `Comparateur de territoires refusé : ${s.problems[0]?.message ?? 'format non reconnu'}.`, 422);
  if (s.status === 'already_imported') return { result: 'unchanged', edition: s.edition, lines: 0, message: `Édition ${s.edition} déjà importée.` };
  return { result: 'imported', edition: s.edition, lines: s.lines, message: `Édition ${s.edition} : ${s.communes} communes, ${s.problems.length} rejet(s).` };
};
