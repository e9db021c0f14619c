// Imports of demand files, shared by the CLI and the web upload: all or nothing, problems listed in French.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Db } from '../../platform/db.ts';
import { AppError, formatProblem, type InputProblem } from '../../platform/errors.ts';
import { decodeText, type ImportedDemand, readDemandCsv } from './ingest/sne-csv.ts';
import * as store from './store.ts';

/** Reads and writes a demand file: nothing is written unless every line is valid. */
export interface ImportOptions {
  defaultEpci?: string;
  refDate?: string;
  /** The EPCIs the importer acts for: a line of another EPCI, or whose number is another EPCI's demand, is refused. */
  allowedEpcis?: string[];
}

export async function importDemandFile(db: Db, file: string, opts: ImportOptions = {}) {
  return importDemandText(db, decodeText(readFileSync(file), basename(file)), basename(file), opts);
}

/** Imports CSV text: nothing is written unless every line is valid; the error lists the problems in French. */
export async function importDemandText(db: Db, text: string, name: string, opts: ImportOptions = {}) {
  const { rows, problems } = await readDemandCsv(text, name, opts);
  problems.push(...(await unknownReferences(db, rows, name)));
  if (opts.allowedEpcis) problems.push(...(await outsidePerimeter(db, rows, name, opts.allowedEpcis)));
  if (problems.length) {
    const shown = problems.slice(0, 20).map(formatProblem);
    const more = problems.length > 20 ? `\n… et ${problems.length - 20} autre(s) problème(s)` : '';
    throw new AppError('demand.import_rejected', `Import refusé, rien n’a été écrit (${problems.length} problème(s)) :\n${shown.join('\n')}${more}`, 400, { problems });
  }
  return store.upsertDemands(db, rows, opts.refDate);
}


/** EPCIs and attribution communes must exist in the territory tables (COG), or the line is refused by name. */
async function unknownReferences(db: Db, rows: ImportedDemand[], file: string): Promise<InputProblem[]> {
  const epcis = [...new Set(rows.map((r) => r.demand.epciSiren))];
  const communes = [...new Set(rows.flatMap((r) => (r.attribution ? [r.attribution.communeCode] : [])))];
  const knownEpcis = new Set(epcis.length ? (await db.selectFrom('epci').select('siren').where('siren', 'in', epcis).execute()).map((r: any) => r.siren) : []);
  const knownCommunes = new Set(communes.length ? (await db.selectFrom('commune').select('code').where('code', 'in', communes).execute()).map((r: any) => r.code) : []);
  const problems: InputProblem[] = [];
  for (const r of rows) {
    const line = r.line ?? 0;
    if (!knownEpcis.has(r.demand.epciSiren)) {
      problems.push({ file, line, column: 'epci_siren', rule: 'epci_connu', value: r.demand.epciSiren, message: 'aucun EPCI de ce SIREN dans le référentiel des territoires' });
    }
    if (r.attribution && !knownCommunes.has(r.attribution.communeCode)) {
      problems.push({ file, line, column: 'commune_attribution', rule: 'commune_connue', value: r.attribution.communeCode, message: 'commune inconnue du code officiel géographique' });
    }
  }
  return problems;
}

/** Lines of an EPCI the importer does not act for, or that would overwrite another EPCI's demand of the same number. */
async function outsidePerimeter(db: Db, rows: ImportedDemand[], file: string, allowed: string[]): Promise<InputProblem[]> {
  const numeros = rows.map((r) => r.demand.numero);
  const existing = new Map<string, string>();
  for (let i = 0; i < numeros.length; i += 1000) {
    const part = numeros.slice(i, i + 1000);
    for (const r of await db.selectFrom('demand').select(['numero', 'epci_siren']).where('numero', 'in', part).execute()) existing.set(r.numero, r.epci_siren);
  }
  const problems: InputProblem[] = [];
  for (const r of rows) {
    const line = r.line ?? 0;
    if (!allowed.includes(r.demand.epciSiren))
      problems.push({ file, line, column: 'epci_siren', rule: 'perimetre', value: r.demand.epciSiren, message: 'cet EPCI est hors de votre périmètre : vous n’importez que les demandes de votre EPCI' });
    const owner = existing.get(r.demand.numero);
    if (owner && !allowed.includes(owner))
      problems.push({ file, line, column: 'numero', rule: 'perimetre', value: r.demand.numero, message: 'ce numéro est celui d’une demande d’un autre EPCI' });
  }
  return problems;
}
