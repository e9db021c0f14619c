// Sitadel (SDES), permits creating dwellings, through the DiDo API, one CSV per département (server-side filter):
//   {base}/dido/api/v1/datafiles/{rid}/csv?withColumnName=true&withColumnDescription=false&DEP_CODE=eq:{departement}
// The construction module imports each file (one transaction, keyed by permit: a newer edition only moves what moved).
import { join } from 'node:path';
import { AppError } from '../../../platform/errors.ts';
import { importSitadel } from '../../construction/index.ts';
import { departementsOf, monthOf, SITADEL_LOGEMENTS_RID } from '../model.ts';
import { baseUrl, type Connector } from './types.ts';

const sitadelUrl = (base: string, departement: string) =>
  `${baseUrl(base)}/dido/api/v1/datafiles/${SITADEL_LOGEMENTS_RID}/csv?withColumnName=true&withColumnDescription=false&DEP_CODE=eq:${departement}`;

export const sitadelConnector: Connector = async (run) => {
  const deps = run.options.departements ?? departementsOf(run.communes);
  let lines = 0;
  let imported = 0;
  let latest: Date | undefined;
  const parts: string[] = [];
  for (const dep of deps) {
    const r = await run.fetchFile(sitadelUrl(run.ctx.config.sourceUrls.sdes, dep), join(run.dir, `logements-${dep}.csv`));
    if (r.status === 'unchanged') continue;
    if (r.lastModified && (!latest || r.lastModified > latest)) latest = r.lastModified;
    const s = await importSitadel(run.ctx.db, r.path, { author: `connecteur Sitadel (département ${dep})` });
    const fileProblem = s.read === 0 && s.problems.length ? s.problems[0] : undefined;
    if (fileProblem) throw new AppError('sources.sitadel_refuse', `Fichier Sitadel du département ${dep} refusé : ${fileProblem.message}`, 422);
    if (s.alreadyImported) continue;
    imported++;
    lines += s.read;
    parts.push(`${dep} : ${s.read} lignes, ${s.created} créés, ${s.updated} mis à jour, ${s.rejected} rejetées`);
  }
  if (!imported) return { result: 'unchanged', edition: null, lines: 0, message: `Aucun fichier Sitadel nouveau (${deps.join(', ')}).` };
  return { result: 'imported', edition: monthOf(latest ?? run.now), lines, message: parts.join(' ; ') };
};
