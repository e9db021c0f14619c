// The two published DVF layouts and how each raw record becomes a normalised DvfLine (or a reject).
// The raw DGFiP file is imported through dgfipMapper. Etalab's geo-DVF file is read by DuckDB (sql.ts holds the
// same rules in SQL); geodvfMapper explains its rejected lines (line, column, rule, value) and is the reference
// the SQL rules are tested against (rules.test.ts).
import {
  CellError,
  departementOf,
  normaliseCommuneCode,
  parentCommune,
  parseAmount,
  parseDecimal,
  parseFrenchDate,
  parseInteger,
  parseIsoDate,
  rebuildCommuneCode,
  type ArrondissementParents,
  type DvfLine,
} from '../model.ts';

export type DvfFormat = 'geodvf' | 'dgfip';

interface LineReject {
  line: number;
  column?: string;
  rule: string;
  value?: string;
  message: string;
}

export type MapResult = { ok: true; line: DvfLine } | { ok: false; reject: LineReject };

/** Recognises a layout from its header line; undefined when it is neither. */
export function detectFormat(headerLine: string): DvfFormat | undefined {
  const h = headerLine.replace(/^\uFEFF/, '');
  if (h.includes('|') && /Valeur fonciere/i.test(h) && /Code commune/i.test(h)) return 'dgfip';
  if (h.includes(',') && /(^|,)id_mutation(,|$)/.test(h) && /(^|,)code_commune(,|$)/.test(h)) return 'geodvf';
  return undefined;
}

const GEODVF_REQUIRED = ['id_mutation', 'date_mutation', 'nature_mutation', 'valeur_fonciere', 'code_commune', 'id_parcelle'];
const DGFIP_REQUIRED = ['Date mutation', 'Nature mutation', 'Valeur fonciere', 'Code departement', 'Code commune', 'Section', 'No plan'];

/** Columns of the header that the mapper needs but are missing (a file-level problem). */
export function missingColumns(format: DvfFormat, header: string[]): string[] {
  const need = format === 'geodvf' ? GEODVF_REQUIRED : DGFIP_REQUIRED;
  return need.filter((c) => !header.includes(c));
}

/** Tabs and line breaks would break the staging file; DVF text never needs them. */
const CONTROL = /[\t\r\n]/;
const clean = (s: string | undefined) => (s === undefined ? '' : CONTROL.test(s) ? s.replace(/[\t\r\n]+/g, ' ').trim() : s.trim());

type Cell = (name: string) => string;

/** Runs one parser on one named column, turning its CellError into a reject that names the column and value. */
function read<T>(cell: Cell, column: string, parse: (raw: string) => T): T {
  const raw = cell(column);
  try {
    return parse(raw);
  } catch (e) {
    if (e instanceof CellError) throw new ColumnError(column, raw, e);
    throw e;
  }
}

class ColumnError extends Error {
  constructor(
    readonly column: string,
    readonly value: string,
    readonly cellError: CellError,
  ) {
    super(cellError.message);
  }
}

function required(cell: Cell, column: string): string {
  const v = clean(cell(column));
  if (v === '') throw new ColumnError(column, '', new CellError('valeur_manquante', 'cette valeur est obligatoire'));
  return v;
}

function withRejects(lineNo: number, build: () => DvfLine): MapResult {
  try {
    return { ok: true, line: build() };
  } catch (e) {
    if (e instanceof ColumnError) {
      return { ok: false, reject: { line: lineNo, column: e.column, rule: e.cellError.rule, value: e.value, message: e.cellError.message } };
    }
    throw e;
  }
}

const typeLocal = (raw: string): number | null => {
  const n = parseInteger(raw);
  if (n !== null && (n < 1 || n > 4)) throw new CellError('code_type_local_invalide', 'code type local attendu entre 1 et 4');
  return n;
};

const coordinate = (raw: string) => parseDecimal(raw);

/**
 * Builds a record → DvfLine mapper for a header, by column name (a variant may add or reorder columns); `parents`
 * (the COG's arrondissements) gives each line the commune it rolls up to.
 */
export function geodvfMapper(header: string[], parents: ArrondissementParents): (record: string[], lineNo: number) => MapResult {
  const index = new Map(header.map((h, i) => [h.trim(), i]));
  return (record, lineNo) => {
    const cell: Cell = (name) => {
      const i = index.get(name);
      return i === undefined ? '' : (record[i] ?? '');
    };
    return withRejects(lineNo, () => {
      const code_commune = read(cell, 'code_commune', normaliseCommuneCode);
      const date_mutation = read(cell, 'date_mutation', parseIsoDate);
      // One object literal in a fixed shape: V8 keeps it fast, and no spread copies 40 fields per line.
      return {
        id_mutation: required(cell, 'id_mutation'),
        date_mutation,
        numero_disposition: read(cell, 'numero_disposition', parseInteger),
        nature_mutation: required(cell, 'nature_mutation'),
        valeur_fonciere: read(cell, 'valeur_fonciere', parseAmount),
        adresse_numero: clean(cell('adresse_numero')),
        adresse_suffixe: clean(cell('adresse_suffixe')),
        adresse_nom_voie: clean(cell('adresse_nom_voie')),
        adresse_code_voie: clean(cell('adresse_code_voie')),
        code_postal: clean(cell('code_postal')),
        code_commune,
        code_commune_parent: parentCommune(parents, code_commune),
        nom_commune: clean(cell('nom_commune')),
        id_parcelle: required(cell, 'id_parcelle'),
        numero_volume: clean(cell('numero_volume')),
        lot1_numero: clean(cell('lot1_numero')),
        lot1_surface_carrez: read(cell, 'lot1_surface_carrez', parseAmount),
        lot2_numero: clean(cell('lot2_numero')),
        lot2_surface_carrez: read(cell, 'lot2_surface_carrez', parseAmount),
        lot3_numero: clean(cell('lot3_numero')),
        lot3_surface_carrez: read(cell, 'lot3_surface_carrez', parseAmount),
        lot4_numero: clean(cell('lot4_numero')),
        lot4_surface_carrez: read(cell, 'lot4_surface_carrez', parseAmount),
        lot5_numero: clean(cell('lot5_numero')),
        lot5_surface_carrez: read(cell, 'lot5_surface_carrez', parseAmount),
        nombre_lots: read(cell, 'nombre_lots', parseInteger),
        code_type_local: read(cell, 'code_type_local', typeLocal),
        type_local: clean(cell('type_local')),
        surface_reelle_bati: read(cell, 'surface_reelle_bati', parseAmount),
        nombre_pieces_principales: read(cell, 'nombre_pieces_principales', parseInteger),
        code_nature_culture: clean(cell('code_nature_culture')),
        nature_culture: clean(cell('nature_culture')),
        code_nature_culture_speciale: clean(cell('code_nature_culture_speciale')),
        nature_culture_speciale: clean(cell('nature_culture_speciale')),
        surface_terrain: read(cell, 'surface_terrain', parseAmount),
        longitude: read(cell, 'longitude', coordinate),
        latitude: read(cell, 'latitude', coordinate),
        departement: departementOf(code_commune),
        annee: Number(date_mutation.slice(0, 4)),
      };
    });
  };
}

/**
 * The raw DGFiP file has no mutation id. Like Etalab's geo-DVF build, a new mutation starts when the
 * date or the price changes from one line to the next; the document reference and disposition number are
 * part of the key too, since the ayants-droit edition fills them (the open-data edition leaves them empty).
 */
export function dgfipMapper(header: string[], idPrefix: string, parents: ArrondissementParents): (record: string[], lineNo: number) => MapResult {
  const index = new Map(header.map((h, i) => [h.trim(), i]));
  let lastKey = '';
  let seq = 0;
  return (record, lineNo) => {
    const cell: Cell = (name) => {
      const i = index.get(name);
      return i === undefined ? '' : (record[i] ?? '');
    };
    return withRejects(lineNo, () => {
      const date = read(cell, 'Date mutation', parseFrenchDate);
      const valeur = read(cell, 'Valeur fonciere', parseAmount);
      let commune: string;
      try {
        commune = rebuildCommuneCode(cell('Code departement'), cell('Code commune'));
      } catch (e) {
        if (!(e instanceof CellError)) throw e;
        const column = e.rule === 'code_departement_invalide' ? 'Code departement' : 'Code commune';
        throw new ColumnError(column, `${cell('Code departement')}|${cell('Code commune')}`, e);
      }
      const section = required(cell, 'Section').padStart(2, '0');
      const plan = required(cell, 'No plan').padStart(4, '0');
      const prefixe = clean(cell('Prefixe de section')).padStart(3, '0') || '000';
      const key = [cell('Code service CH'), cell('Reference document'), cell('No disposition'), date, valeur].join('|');
      if (key !== lastKey) {
        seq++;
        lastKey = key;
      }
      const codeVoie = clean(cell('Code voie'));
      const codePostal = clean(cell('Code postal'));
      return {
        id_mutation: `${date.slice(0, 4)}-${idPrefix}-${seq}`,
        date_mutation: date,
        numero_disposition: read(cell, 'No disposition', parseInteger),
        nature_mutation: required(cell, 'Nature mutation'),
        valeur_fonciere: valeur,
        adresse_numero: clean(cell('No voie')),
        adresse_suffixe: clean(cell('B/T/Q')),
        adresse_nom_voie: [clean(cell('Type de voie')), clean(cell('Voie'))].filter(Boolean).join(' '),
        adresse_code_voie: codeVoie ? codeVoie.padStart(4, '0') : '',
        code_postal: codePostal ? codePostal.padStart(5, '0') : '',
        code_commune: commune,
        code_commune_parent: parentCommune(parents, commune),
        nom_commune: clean(cell('Commune')),
        id_parcelle: commune + prefixe + section + plan,
        numero_volume: clean(cell('No Volume')),
        lot1_numero: clean(cell('1er lot')),
        lot1_surface_carrez: read(cell, 'Surface Carrez du 1er lot', parseAmount),
        lot2_numero: clean(cell('2eme lot')),
        lot2_surface_carrez: read(cell, 'Surface Carrez du 2eme lot', parseAmount),
        lot3_numero: clean(cell('3eme lot')),
        lot3_surface_carrez: read(cell, 'Surface Carrez du 3eme lot', parseAmount),
        lot4_numero: clean(cell('4eme lot')),
        lot4_surface_carrez: read(cell, 'Surface Carrez du 4eme lot', parseAmount),
        lot5_numero: clean(cell('5eme lot')),
        lot5_surface_carrez: read(cell, 'Surface Carrez du 5eme lot', parseAmount),
        nombre_lots: read(cell, 'Nombre de lots', parseInteger),
        code_type_local: read(cell, 'Code type local', typeLocal),
        type_local: clean(cell('Type local')),
        surface_reelle_bati: read(cell, 'Surface reelle bati', parseAmount),
        nombre_pieces_principales: read(cell, 'Nombre pieces principales', parseInteger),
        code_nature_culture: clean(cell('Nature culture')),
        nature_culture: '',
        code_nature_culture_speciale: clean(cell('Nature culture speciale')),
        nature_culture_speciale: '',
        surface_terrain: read(cell, 'Surface terrain', parseAmount),
        longitude: null,
        latitude: null,
        departement: departementOf(commune),
        annee: Number(date.slice(0, 4)),
      };
    });
  };
}
