// Reader for ADEME DPE files, in both layouts ADEME has published:
// - legacy "dpe-v2-logements-*" exports: UTF-8 with BOM, every field quoted, accented headers ("N°DPE", "Etiquette_DPE",
//   "Code_INSEE_(BAN)", …), as in the demo extract (data/demo/dpe);
// - current snake_case datasets ("numero_dpe", "etiquette_dpe", "code_insee_ban", …).
// Streaming, one typed row or one typed reject (file, line, column, rule, value, French message) per line.
import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { InputProblem } from '../../../platform/errors.ts';
import { csvErrorInFrench } from '../../../platform/text-input.ts';
import { COMMUNE_CODE } from '../../territory/index.ts';
import { parseDpeClass, type DpeClass } from '../model.ts';

export interface DpeRow {
  line: number;
  numero_dpe: string;
  date_reception: string;
  etiquette_dpe: DpeClass;
  etiquette_ges: DpeClass | null;
  type_batiment: string | null;
  surface_m2: number | null;
  conso_ep_m2: number | null;
  ges_m2: number | null;
  code_insee: string;
  code_postal: string | null;
  nom_commune: string | null;
  identifiant_ban: string | null;
  adresse: string | null;
  numero_dpe_immeuble: string | null;
  numero_rpls_logement: string | null;
}

type Field = Exclude<keyof DpeRow, 'line'>;

/** Column names per layout. The legacy names are ADEME's own, accents and all. */
export const DPE_LAYOUTS: Record<'ademe-v2-accentue' | 'ademe-snake-case', Record<Field, string>> = {
  'ademe-v2-accentue': {
    numero_dpe: 'N°DPE',
    date_reception: 'Date_réception_DPE',
    etiquette_dpe: 'Etiquette_DPE',
    etiquette_ges: 'Etiquette_GES',
    type_batiment: 'Type_bâtiment',
    surface_m2: 'Surface_habitable_logement',
    conso_ep_m2: 'Conso_5_usages_par_m²_é_primaire',
    ges_m2: 'Emission_GES_5_usages_par_m²',
    code_insee: 'Code_INSEE_(BAN)',
    code_postal: 'Code_postal_(BAN)',
    nom_commune: 'Nom__commune_(BAN)',
    identifiant_ban: 'Identifiant__BAN',
    adresse: 'Adresse_(BAN)',
    numero_dpe_immeuble: 'N°_DPE_immeuble_associé',
    numero_rpls_logement: 'N°_RPLS_logement',
  },
  'ademe-snake-case': {
    numero_dpe: 'numero_dpe',
    date_reception: 'date_reception_dpe',
    etiquette_dpe: 'etiquette_dpe',
    etiquette_ges: 'etiquette_ges',
    type_batiment: 'type_batiment',
    surface_m2: 'surface_habitable_logement',
    conso_ep_m2: 'conso_5_usages_par_m2_ep',
    ges_m2: 'emission_ges_5_usages_par_m2',
    code_insee: 'code_insee_ban',
    code_postal: 'code_postal_ban',
    nom_commune: 'nom_commune_ban',
    identifiant_ban: 'identifiant_ban',
    adresse: 'adresse_ban',
    numero_dpe_immeuble: 'numero_dpe_immeuble_associe',
    numero_rpls_logement: 'numero_rpls_logement',
  },
};
export type DpeLayout = keyof typeof DPE_LAYOUTS;
const REQUIRED: Field[] = ['numero_dpe', 'date_reception', 'etiquette_dpe', 'code_insee'];

/** Which layout a header is, or a French reason naming the missing columns. */
export function detectLayout(header: string[]): { layout: DpeLayout; index: Record<Field, number> } | { problem: string } {
  const clean = header.map((h) => h.replace(/^\uFEFF/, '').trim());
  let best: { layout: DpeLayout; missing: string[] } | undefined;
  for (const layout of Object.keys(DPE_LAYOUTS) as DpeLayout[]) {
    const names = DPE_LAYOUTS[layout];
    const missing = REQUIRED.filter((f) => !clean.includes(names[f])).map((f) => names[f]);
    if (!missing.length) {
      const index = Object.fromEntries((Object.keys(names) as Field[]).map((f) => [f, clean.indexOf(names[f])])) as Record<Field, number>;
      return { layout, index };
    }
    if (!best || missing.length < best.missing.length) best = { layout, missing };
  }
  return {
    problem: `Format de fichier DPE non reconnu : colonnes obligatoires absentes (${best!.missing.map((m) => `« ${m} »`).join(', ')}). Formats acceptés : export ADEME « dpe-v2 » (en-têtes accentués) ou jeu de données ADEME actuel (en-têtes numero_dpe, etiquette_dpe, code_insee_ban…).`,
  };
}

const DPE_NUMBER = /^[0-9A-Z]{13}$/;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})/;

/** Checks one data line against its layout's columns. Pure: the property tests feed it arbitrary cells. */
export function readDpeLine(cells: string[], index: Record<Field, number>, layout: DpeLayout, file: string, line: number): { row: DpeRow } | { problem: InputProblem } {
  const names = DPE_LAYOUTS[layout];
  const cell = (f: Field) => (index[f] >= 0 ? (cells[index[f]] ?? '').trim() : '');
  const opt = (f: Field) => cell(f) || null;
  const fail = (f: Field, rule: string, message: string): { problem: InputProblem } => ({
    problem: { file, line, column: names[f], rule, value: cell(f), message },
  });
  const numero = cell('numero_dpe').toUpperCase();
  if (!DPE_NUMBER.test(numero)) return fail('numero_dpe', 'stock.dpe_number', 'Le numéro de DPE doit compter 13 caractères (chiffres et lettres majuscules).');
  const dm = ISO_DAY.exec(cell('date_reception'));
  const date = dm ? `${dm[1]}-${dm[2]}-${dm[3]}` : '';
  if (!dm || Number.isNaN(Date.parse(date)) || new Date(date).toISOString().slice(0, 10) !== date)
    return fail('date_reception', 'stock.dpe_date', 'La date de réception doit être une date réelle au format AAAA-MM-JJ.');
  const etiquette = parseDpeClass(cell('etiquette_dpe'));
  if (!etiquette) return fail('etiquette_dpe', 'stock.dpe_label', "L'étiquette DPE doit être une lettre de A à G.");
  const ges = cell('etiquette_ges');
  if (ges && !parseDpeClass(ges)) return fail('etiquette_ges', 'stock.dpe_label', "L'étiquette GES doit être une lettre de A à G.");
  const code = cell('code_insee').toUpperCase();
  if (!COMMUNE_CODE.test(code)) return fail('code_insee', 'stock.dpe_commune_code', 'Le code INSEE de la commune doit compter 5 caractères (ex. 69388).');
  const nums: Partial<Record<Field, number | null>> = {};
  for (const f of ['surface_m2', 'conso_ep_m2', 'ges_m2'] as Field[]) {
    const raw = cell(f).replace(',', '.');
    if (!raw) {
      nums[f] = null;
      continue;
    }
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) return fail(f, 'stock.dpe_positive_number', 'Nombre positif attendu (point ou virgule décimale).');
    nums[f] = n;
  }
  return {
    row: {
      line,
      numero_dpe: numero,
      date_reception: date,
      etiquette_dpe: etiquette,
      etiquette_ges: parseDpeClass(ges),
      type_batiment: opt('type_batiment'),
      surface_m2: nums.surface_m2 ?? null,
      conso_ep_m2: nums.conso_ep_m2 ?? null,
      ges_m2: nums.ges_m2 ?? null,
      code_insee: code,
      code_postal: opt('code_postal'),
      nom_commune: opt('nom_commune'),
      identifiant_ban: opt('identifiant_ban'),
      adresse: opt('adresse'),
      numero_dpe_immeuble: opt('numero_dpe_immeuble'),
      numero_rpls_logement: opt('numero_rpls_logement'),
    },
  };
}

/** What the commune link needs of the COG (the territory module's places), for the codes a file holds. */
export interface CommuneLookup {
  /** Communes and arrondissements by INSEE code. */
  byCode: Map<string, { name: string; postal_codes: string[]; parent_code: string | null }>;
  /** INSEE codes by postcode. */
  byPostcode: Map<string, string[]>;
}

export type CommuneLink =
  | { code: string; correction?: InputProblem }
  | { problem: InputProblem };

/**
 * Links a DPE to its commune. The INSEE field sometimes holds a postcode (69008 is both Lyon 8e's postcode and the
 * INSEE code of Ancy): when the code is unknown, or known but the row's postcode is not one of that commune's while
 * the code itself is a postcode of the commune the row names, the code is corrected and the correction reported.
 */
export function linkCommune(row: DpeRow, lookup: CommuneLookup, file: string, column: string): CommuneLink {
  const known = lookup.byCode.get(row.code_insee);
  const postcodeOk = (code: string) => !row.code_postal || (lookup.byCode.get(code)?.postal_codes ?? []).includes(row.code_postal);
  if (known && postcodeOk(row.code_insee)) return { code: row.code_insee };
  // Candidates: communes whose postcodes include the value found in the INSEE field; arrondissements before their city.
  let candidates = (lookup.byPostcode.get(row.code_insee) ?? []).filter(postcodeOk);
  const parents = new Set(candidates.map((c) => lookup.byCode.get(c)?.parent_code).filter(Boolean));
  candidates = candidates.filter((c) => !parents.has(c));
  if (candidates.length === 1) {
    const to = candidates[0];
    const toName = lookup.byCode.get(to)!.name;
    return {
      code: to,
      correction: {
        file,
        line: row.line,
        column,
        rule: 'stock.dpe_postcode_as_commune_code',
        value: row.code_insee,
        message: known
          ? `Le champ code INSEE contient ${row.code_insee}, qui est le code postal de ${toName} (et le code INSEE de ${known.name}, dont le code postal n'est pas ${row.code_postal}) : DPE rattaché à ${toName} (${to}).`
          : `Le champ code INSEE contient ${row.code_insee}, qui n'est pas un code INSEE mais le code postal de ${toName} : DPE rattaché à ${toName} (${to}).`,
      },
    };
  }
  if (known) return { code: row.code_insee }; // postcode disagrees but nothing better: the BAN code is kept
  return {
    problem: {
      file,
      line: row.line,
      column,
      rule: 'stock.dpe_unknown_commune',
      value: row.code_insee,
      message: candidates.length > 1
        ? `Code INSEE inconnu ; c'est le code postal de plusieurs communes (${candidates.join(', ')}) : impossible de choisir.`
        : "Code INSEE inconnu du code officiel géographique, et ce n'est le code postal d'aucune commune.",
    },
  };
}

export interface DpeReadResult {
  layout: DpeLayout | null;
  rows: DpeRow[];
  problems: InputProblem[];
  lines: number;
  /** True when the file is not a DPE file or could not be read to its end: nothing of it may be written. */
  broken: boolean;
}

/** Reads a whole file (DPE extracts are small: a commune's worth is a few thousand lines). */
export async function readDpeFile(path: string, name = basename(path)): Promise<DpeReadResult> {
  const parser = createReadStream(path).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }));
  let header: { layout: DpeLayout; index: Record<Field, number> } | undefined;
  const out: DpeReadResult = { layout: null, rows: [], problems: [], lines: 0, broken: false };
  const seen = new Map<string, number>();
  try {
    for await (const { record: cells, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (!header) {
        const d = detectLayout(cells);
        if ('problem' in d) {
          out.problems.push({ file: name, line: 1, rule: 'stock.dpe_layout', message: d.problem });
          out.broken = true;
          return out;
        }
        header = d;
        out.layout = d.layout;
        continue;
      }
      out.lines++;
      const r = readDpeLine(cells, header.index, header.layout, name, line);
      if ('problem' in r) {
        out.problems.push(r.problem);
        continue;
      }
      const first = seen.get(r.row.numero_dpe);
      if (first !== undefined) {
        out.problems.push({
          file: name,
          line,
          column: DPE_LAYOUTS[header.layout].numero_dpe,
          rule: 'stock.dpe_duplicate',
          value: r.row.numero_dpe,
          message: `Ce numéro de DPE figure déjà ligne ${first} : ligne ignorée.`,
        });
        continue;
      }
      seen.set(r.row.numero_dpe, line);
      out.rows.push(r.row);
    }
  } catch (err) {
    out.problems.push({ file: name, line: out.lines + 2, rule: 'stock.csv_syntax', message: `Fichier CSV illisible à partir de cette ligne : ${csvErrorInFrench(err).message}` });
    out.rows = []; // a broken file is refused whole: nothing half-read is written
    out.broken = true;
  }
  return out;
}
