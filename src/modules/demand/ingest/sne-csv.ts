// Reader for a CSV extract of social-housing demands with the usual SNE fields (one line per demand).
// Streaming; every bad cell becomes an InputProblem (file, line, column, rule, value, French message).
import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import type { InputProblem } from '../../../platform/errors.ts';
import { csvErrorInFrench } from '../../../platform/text-input.ts';
import { COMMUNE_CODE, SIREN } from '../../territory/model.ts';
import {
  type Attribution,
  type Demand,
  DEMAND_NUMBER,
  type DemandPerson,
  DEMAND_STATUSES,
  type DemandStatus,
  HOUSING_SITUATIONS,
  type HousingSituation,
  PRIORITY_FLAG_NAMES,
  type PriorityFlag,
  TYPOLOGIES,
  type Typology,
} from '../model.ts';

export interface ImportedDemand {
  demand: Demand;
  person: DemandPerson;
  attribution: Attribution | null;
  /** Line in the source file, to place problems found later (unknown EPCI or commune). */
  line?: number;
}

export const SNE_COLUMNS = [
  'numero_unique',
  'epci_siren',
  'date_depot',
  'date_renouvellement',
  'statut',
  'nom',
  'prenom',
  'date_naissance',
  'courriel',
  'telephone',
  'nb_adultes',
  'nb_enfants',
  'ressources_mensuelles',
  'loyer_residuel',
  'situation_logement',
  'surface_logement',
  'typologie_souhaitee',
  'communes_souhaitees',
  'mutation',
  ...PRIORITY_FLAG_NAMES,
  'nb_refus',
  'date_attribution',
  'commune_attribution',
  'typologie_attribuee',
] as const;
const REQUIRED = ['numero_unique', 'date_depot', 'nom', 'prenom', 'nb_adultes', 'typologie_souhaitee', 'communes_souhaitees'];

/** Cell parsers: a value, or a rule name and a French message. */
type Cell<T> = { ok: true; value: T } | { ok: false; rule: string; message: string };
const ok = <T>(value: T): Cell<T> => ({ ok: true, value });
const bad = (rule: string, message: string): Cell<never> => ({ ok: false, rule, message });

/** Accepts JJ/MM/AAAA (SNE exports) and AAAA-MM-JJ; checks that the day exists. */
export function parseDate(s: string): Cell<string> {
  const fr = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const parts = fr ? [fr[3], fr[2], fr[1]] : iso ? [iso[1], iso[2], iso[3]] : null;
  if (!parts) return bad('date', 'date attendue au format JJ/MM/AAAA');
  const [y, m, d] = parts;
  const date = new Date(Date.UTC(+y, +m - 1, +d));
  if (date.getUTCMonth() !== +m - 1 || date.getUTCDate() !== +d) return bad('date', 'cette date n’existe pas');
  return ok(`${y}-${m}-${d}`);
}

export function parseBool(s: string): Cell<boolean> {
  const v = s.toLowerCase();
  if (['o', 'oui', '1', 'true', 'vrai'].includes(v)) return ok(true);
  if (['n', 'non', '0', 'false', 'faux', ''].includes(v)) return ok(false);
  return bad('oui_non', 'valeur oui/non attendue (O ou N)');
}

/** French decimals (comma) accepted; never negative. */
export function parseAmount(s: string, integer = false): Cell<number> {
  const n = Number(s.replace(/\s/g, '').replace(',', '.'));
  if (!/^-?[\d\s]+([.,]\d+)?$/.test(s) || !Number.isFinite(n)) return bad('nombre', 'nombre attendu');
  if (n < 0) return bad('positif', 'le nombre ne peut pas être négatif');
  if (integer && !Number.isInteger(n)) return bad('entier', 'nombre entier attendu');
  return ok(n);
}

export async function readDemandCsv(
  input: Readable | string,
  file: string,
  opts: { defaultEpci?: string } = {},
): Promise<{ rows: ImportedDemand[]; problems: InputProblem[] }> {
  const rows: ImportedDemand[] = [];
  const problems: InputProblem[] = [];
  const seen = new Map<string, number>();
  const stream = typeof input === 'string' ? Readable.from([input]) : input;
  let header: string[] | null = null;
  const parser = stream.pipe(
    parse({
      columns: (h: string[]) => (header = h.map((c) => c.trim().toLowerCase())),
      delimiter: ';',
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
    }),
  );
  const headerProblem = (): InputProblem | null => {
    if (!header) return { file, line: 1, rule: 'en_tete', message: 'fichier vide : une ligne d’en-tête est attendue' };
    const missing = REQUIRED.filter((c) => !header!.includes(c));
    return missing.length ? { file, line: 1, rule: 'colonnes', value: missing.join(', '), message: 'colonnes obligatoires absentes de l’en-tête' } : null;
  };
  let headerChecked = false;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      if (!headerChecked) {
        headerChecked = true;
        const p = headerProblem();
        if (p) {
          problems.push(p);
          return { rows, problems };
        }
      }
      const line = info.lines;
      const r = readLine(record, file, line, opts.defaultEpci, problems);
      if (!r) continue;
      const previous = seen.get(r.demand.number);
      if (previous) {
        problems.push({ file, line, column: 'numero_unique', rule: 'unique', value: r.demand.number, message: `numéro déjà présent ligne ${previous}` });
        continue;
      }
      seen.set(r.demand.number, line);
      rows.push(r);
    }
  } catch (e) {
    const fault = csvErrorInFrench(e, typeof input === 'string' ? { text: input, delimiter: ';' } : undefined);
    problems.push({ file, line: fault.line, rule: 'csv', message: `fichier CSV illisible : ${fault.message}` });
    return { rows, problems };
  }
  if (!headerChecked) {
    const p = headerProblem();
    if (p) problems.push(p);
  }
  return { rows, problems };
}

function readLine(
  rec: Record<string, string>,
  file: string,
  line: number,
  defaultEpci: string | undefined,
  problems: InputProblem[],
): ImportedDemand | null {
  const before = problems.length;
  function get<T>(column: string, parser: (s: string) => Cell<T>, required: boolean): T | null {
    const raw = (rec[column] ?? '').trim();
    if (raw === '') {
      if (required) problems.push({ file, line, column, rule: 'obligatoire', value: raw, message: 'valeur obligatoire manquante' });
      return null;
    }
    const c = parser(raw);
    if (c.ok) return c.value;
    problems.push({ file, line, column, rule: c.rule, value: raw, message: c.message });
    return null;
  }
  const oneOf =
    <T extends string>(values: readonly T[], label: string) =>
    (s: string): Cell<T> =>
      (values as readonly string[]).includes(s) ? ok(s as T) : bad('valeur_connue', `${label} attendu parmi : ${values.join(', ')}`);
  const text = (s: string) => ok(s);

  const demandNumber = get('numero_unique', (s) => {
    const v = s.replace(/\s/g, '').toUpperCase();
    return DEMAND_NUMBER.test(v) ? ok(v) : bad('numero', 'numéro unique de 6 à 20 chiffres ou lettres attendu');
  }, true);
  const epci = get('epci_siren', (s) => (SIREN.test(s) ? ok(s) : bad('siren', 'SIREN de 9 chiffres attendu')), false) ?? defaultEpci ?? null;
  if (!epci) problems.push({ file, line, column: 'epci_siren', rule: 'obligatoire', value: '', message: 'EPCI inconnu : renseignez la colonne ou l’option --epci' });
  const filingDate = get('date_depot', parseDate, true);
  const renewalDate = get('date_renouvellement', parseDate, false);
  const status = get('statut', oneOf(DEMAND_STATUSES, 'statut'), false) ?? 'active';
  const adults = get('nb_adultes', (s) => parseAmount(s, true), true);
  const children = get('nb_enfants', (s) => parseAmount(s, true), false) ?? 0;
  if (adults !== null && adults < 1) problems.push({ file, line, column: 'nb_adultes', rule: 'minimum', value: String(adults), message: 'au moins un adulte' });
  const communesRaw = get('communes_souhaitees', text, true);
  const communes = communesRaw ? communesRaw.split(/[|\s]+/).filter(Boolean) : [];
  for (const c of communes) {
    if (!COMMUNE_CODE.test(c)) problems.push({ file, line, column: 'communes_souhaitees', rule: 'code_insee', value: c, message: 'code commune INSEE à 5 caractères attendu' });
  }
  const flags: PriorityFlag[] = [];
  for (const f of PRIORITY_FLAG_NAMES) if (get(f, parseBool, false)) flags.push(f);
  const attributionDate = get('date_attribution', parseDate, false);
  const attributionCommune = get('commune_attribution', (s) => (COMMUNE_CODE.test(s) ? ok(s) : bad('code_insee', 'code commune INSEE à 5 caractères attendu')), false);
  const typologyAttribuee = get('typologie_attribuee', oneOf(TYPOLOGIES, 'typologie'), false);
  const demand = {
    number: demandNumber ?? '',
    epci_siren: epci ?? '',
    filing_date: filingDate ?? '',
    renewal_date: renewalDate,
    status: status as DemandStatus,
    adults: adults ?? 1,
    children,
    monthly_income: get('ressources_mensuelles', (s) => parseAmount(s), false),
    residual_rent: get('loyer_residuel', (s) => parseAmount(s), false),
    housing_situation: (get('situation_logement', oneOf(Object.keys(HOUSING_SITUATIONS) as HousingSituation[], 'situation'), false) ?? 'autre') as HousingSituation,
    current_surface: get('surface_logement', (s) => parseAmount(s), false),
    typology: (get('typologie_souhaitee', oneOf(TYPOLOGIES, 'typologie'), true) ?? 'T1') as Typology,
    communes,
    mutation: get('mutation', parseBool, false) ?? false,
    flags,
    refusals: get('nb_refus', (s) => parseAmount(s, true), false) ?? 0,
  } satisfies Demand;
  const person: DemandPerson = {
    last_name: get('nom', text, true) ?? '',
    first_name: get('prenom', text, true) ?? '',
    birth_date: get('date_naissance', parseDate, false),
    email: get('courriel', text, false),
    phone: get('telephone', text, false),
  };
  let attribution: Attribution | null = null;
  if (status === 'attribuee') {
    if (!attributionDate || !attributionCommune) {
      problems.push({ file, line, column: 'date_attribution', rule: 'attribution', value: attributionDate ?? '', message: 'une demande attribuée doit avoir une date et une commune d’attribution' });
    } else {
      attribution = { filing_date: demand.filing_date, attribution_date: attributionDate, commune_code: attributionCommune, typology: typologyAttribuee ?? demand.typology };
      if (filingDate && attributionDate < filingDate) {
        problems.push({ file, line, column: 'date_attribution', rule: 'chronologie', value: attributionDate, message: 'l’attribution précède le dépôt de la demande' });
      }
    }
  }
  if (filingDate && renewalDate && renewalDate < filingDate) {
    problems.push({ file, line, column: 'date_renouvellement', rule: 'chronologie', value: renewalDate, message: 'le renouvellement précède le dépôt' });
  }
  return problems.length > before ? null : { demand, person, attribution, line };
}
