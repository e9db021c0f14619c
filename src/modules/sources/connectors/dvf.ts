// DVF géolocalisé (Etalab): one gzipped CSV per year and département,
//   {base}/geo-dvf/latest/csv/{annee}/departements/{departement}.csv.gz
// The files changed since the last import are imported together by the market module (its partition swap replaces
// the commune-years they bring); unchanged ones answer 304 and are not downloaded.
import { join } from 'node:path';
import { AppError } from '../../../platform/errors.ts';
import { importDvf } from '../../market/index.ts';
import { defaultDvfYears, departementsOf, monthOf, NO_DVF } from '../model.ts';
import { baseUrl, type Connector } from './types.ts';

const dvfUrl = (base: string, annee: number, departement: string) => `${baseUrl(base)}/geo-dvf/latest/csv/${annee}/departements/${departement}.csv.gz`;

export const dvfConnector: Connector = async (run) => {
  const deps = (run.options.departements ?? departementsOf(run.communes)).filter((d) => !NO_DVF.has(d));
  const years = run.options.years ?? defaultDvfYears(run.now);
  const changed: string[] = [];
  const missing: string[] = [];
  let latest: Date | undefined;
  for (const annee of years)
    for (const dep of deps) {
      const url = dvfUrl(run.ctx.config.sourceUrls.dvf, annee, dep);
      try {
        const r = await run.fetchFile(url, join(run.dir, String(annee), `${dep}.csv.gz`));
        if (r.status === 'downloaded') {
          changed.push(r.path);
          if (r.lastModified && (!latest || r.lastModified > latest)) latest = r.lastModified;
        }
      } catch (err) {
        // A year not published yet, or dropped from the five-year window: not a failure of the others.
        if (err instanceof AppError && err.code === 'download.introuvable') missing.push(`${annee}/${dep}`);
        else throw err;
      }
    }
  const note = missing.length ? ` Absents chez Etalab : ${missing.join(', ')}.` : '';
  if (!changed.length) return { result: 'unchanged', edition: null, lines: 0, message: `Aucun fichier DVF nouveau (${deps.length} département(s) × ${years.length} année(s)).${note}` };
  run.say(`Import DVF de ${changed.length} fichier(s)…`);
  const s = await importDvf(run.ctx, changed);
  const refused = s.files.filter((f) => f.status === 'refused');
  if (refused.length) throw new AppError('sources.dvf_refuse', `Fichier(s) DVF refusé(s) : ${refused.map((f) => f.file).join(', ')}. Le lac DVF est inchangé.`, 422);
  return {
    result: 'imported',
    edition: latest ? monthOf(latest) : monthOf(run.now),
    lines: s.linesRead,
    message: `${changed.length} fichier(s) importé(s) : ${s.linesRead} lignes lues, ${s.linesKept} gardées, ${s.linesRejected} rejetées ; partitions ${s.partitions.join(', ')}.${note}`,
  };
};
