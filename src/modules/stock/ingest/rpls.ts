// Reader for the RPLS aggregate "rpls_par_date" (MaelTheuliere/rrrpls, source RPLS): one line per commune ×
// construction year × energy class × GES class × rooms × building type × QPV, with the number of dwellings `n`.
// Streaming (the national file is 522,669 lines), gzip or plain, one typed reject per bad line.
import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { InputProblem } from '../../../platform/errors.ts';
import { csvErrorInFrench } from '../../../platform/text-input.ts';
import { COMMUNE_CODE } from '../../territory/index.ts';
import { parseDpeClass, type DpeClass } from '../model.ts';

export const RPLS_COLUMNS = ['DEPCOM', 'construct', 'dpeenergie', 'dpeserre', 'nbpiece', 'typeconst', 'qpv', 'n'] as const;

export interface RplsCell {
  commune_code: string;
  construction_year: number | null;
  /** The energy class (RPLS « dpeenergie »). */
  dpe_energy: DpeClass | null;
  /** The climate class (RPLS « dpeserre »). */
  dpe_climate: DpeClass | null;
  /** 1 to 5, 5 meaning "5 rooms or more". */
  rooms: number;
  building_type: 'collectif' | 'individuel';
  qpv: boolean;
  /** Dwellings in the cell. */
  n: number;
}

const TYPES: Record<string, RplsCell['building_type']> = { 'Logements collectifs': 'collectif', 'Logements individuels': 'individuel' };
const QPV: Record<string, boolean> = { 'En QPV': true, 'Hors QPV': false };
const ROOMS: Record<string, number> = { '1': 1, '2': 2, '3': 3, '4': 4, '5 et plus': 5 };
const CLASS_VALUES = new Set(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'Inconnu', '', 'NA']);

/** The vintage a file's name gives (rpls_par_date_2019.csv.gz: 2019), or null. */
export function vintageFromFileName(path: string): number | null {
  const m = /(?:^|[^0-9])((?:19|20)\d{2})(?:[^0-9]|$)/.exec(basename(path));
  return m ? Number(m[1]) : null;
}

function headerProblem(header: string[], file: string): InputProblem | null {
  const clean = header.map((h) => h.replace(/^\uFEFF/, '').trim());
  const missing = RPLS_COLUMNS.filter((c) => !clean.includes(c));
  if (!missing.length) return null;
  return {
    file,
    line: 1,
    rule: 'stock.rpls_layout',
    message: `Fichier RPLS non reconnu : colonnes absentes (${missing.join(', ')}). Format attendu : agrégat « rpls_par_date » (${RPLS_COLUMNS.join(', ')}). Le fichier RPLS détaillé au logement n'est pas encore accepté.`,
  };
}

/** Checks one line. `index` maps each expected column to its position. */
export function readRplsLine(cells: string[], index: Record<(typeof RPLS_COLUMNS)[number], number>, file: string, line: number): { cell: RplsCell } | { problem: InputProblem } {
  const v = (c: (typeof RPLS_COLUMNS)[number]) => (cells[index[c]] ?? '').trim();
  const fail = (column: (typeof RPLS_COLUMNS)[number], rule: string, message: string) => ({ problem: { file, line, column, rule, value: v(column), message } });
  const code = v('DEPCOM').toUpperCase();
  if (!COMMUNE_CODE.test(code)) return fail('DEPCOM', 'stock.rpls_commune_code', 'Code INSEE de commune sur 5 caractères attendu.');
  const year = v('construct');
  let constructionYear: number | null = null;
  if (year && year !== 'NA') {
    if (!/^\d{4}$/.test(year) || Number(year) < 1000 || Number(year) > 2100)
      return fail('construct', 'stock.rpls_construction_year', 'Année de construction sur 4 chiffres, entre 1000 et 2100, attendue (ou vide).');
    constructionYear = Number(year);
  }
  for (const c of ['dpeenergie', 'dpeserre'] as const)
    if (!CLASS_VALUES.has(v(c))) return fail(c, 'stock.rpls_class', 'Classe DPE de A à G ou « Inconnu » attendue.');
  const rooms = ROOMS[v('nbpiece')];
  if (!rooms) return fail('nbpiece', 'stock.rpls_rooms', 'Nombre de pièces attendu : 1, 2, 3, 4 ou « 5 et plus ».');
  const type = TYPES[v('typeconst')];
  if (!type) return fail('typeconst', 'stock.rpls_building_type', 'Type attendu : « Logements collectifs » ou « Logements individuels ».');
  const qpv = QPV[v('qpv')];
  if (qpv === undefined) return fail('qpv', 'stock.rpls_qpv', 'Valeur attendue : « En QPV » ou « Hors QPV ».');
  if (!/^\d+$/.test(v('n')) || Number(v('n')) <= 0) return fail('n', 'stock.rpls_dwellings', 'Nombre de logements entier et positif attendu.');
  return {
    cell: {
      commune_code: code,
      construction_year: constructionYear,
      dpe_energy: parseDpeClass(v('dpeenergie')),
      dpe_climate: parseDpeClass(v('dpeserre')),
      rooms,
      building_type: type,
      qpv,
      n: Number(v('n')),
    },
  };
}

export interface RplsReadResult {
  lines: number;
  problems: InputProblem[];
  /** True when the file could not be read to its end: nothing of it may be written. */
  broken: boolean;
}

/** Streams the file, calling `onCell` for every valid line. */
export async function readRplsFile(path: string, onCell: (c: RplsCell) => void, name = basename(path)): Promise<RplsReadResult> {
  let input: NodeJS.ReadableStream = createReadStream(path);
  if (path.endsWith('.gz')) input = input.pipe(createGunzip());
  const parser = input.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true }));
  const out: RplsReadResult = { lines: 0, problems: [], broken: false };
  let index: Record<(typeof RPLS_COLUMNS)[number], number> | undefined;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!index) {
        const p = headerProblem(cells, name);
        if (p) {
          out.problems.push(p);
          out.broken = true;
          return out;
        }
        const clean = cells.map((h) => h.replace(/^\uFEFF/, '').trim());
        index = Object.fromEntries(RPLS_COLUMNS.map((c) => [c, clean.indexOf(c)])) as Record<(typeof RPLS_COLUMNS)[number], number>;
        continue;
      }
      out.lines++;
      const r = readRplsLine(cells, index, name, out.lines + 1);
      if ('problem' in r) out.problems.push(r.problem);
      else onCell(r.cell);
    }
  } catch (err) {
    out.problems.push({ file: name, line: out.lines + 2, rule: 'stock.csv_syntax', message: `Fichier illisible à partir de cette ligne : ${csvErrorInFrench(err).message}` });
    out.broken = true;
  }
  return out;
}
