// SRU inventories as a CSV (one line per commune and year, as the DDT notifies them): pure parsing with French
// problems naming file, line, column, rule and value.
import type { InputProblem } from '../../../platform/errors.ts';
import { COMMUNE_CODE } from '../../territory/index.ts';
import { parseNumber, type SheetRow } from './programme-sheet.ts';
import type { SruInventory } from '../model.ts';

export const SRU_REQUIRED = ['commune_code', 'annee', 'residences_principales', 'logements_sociaux', 'taux_legal', 'source'];

const YES = new Set(['oui', 'o', 'true', 'vrai', '1', 'x']);
const NO = new Set(['non', 'n', 'false', 'faux', '0', '']);

export function parseSruRows(rows: SheetRow[], file: string, communes?: Set<string>): { inventaires: SruInventory[]; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const out: SruInventory[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const before = problems.length;
    const fail = (column: string, rule: string, message: string, value?: string) => problems.push({ file, line: row.line, column, rule, message, value });
    const cell = (c: string) => (row.cells[c] ?? '').trim();
    const num = (c: string, opts: { required?: boolean; integer?: boolean; min?: number } = {}): number | null => {
      const raw = cell(c).replace(/€/g, '');
      if (!raw) {
        if (opts.required) fail(c, 'obligatoire', 'la valeur est obligatoire');
        return null;
      }
      const n = parseNumber(raw);
      if (n === null || (opts.integer && !Number.isInteger(n)) || n < (opts.min ?? 0)) {
        fail(c, opts.integer ? 'entier' : 'nombre', opts.integer ? `un nombre entier d’au moins ${opts.min ?? 0} est attendu` : 'un nombre positif est attendu', raw);
        return null;
      }
      return n;
    };
    let code = cell('commune_code');
    if (/^[0-9]{4}$/.test(code)) code = `0${code}`;
    code = code.toUpperCase();
    if (!code) fail('commune_code', 'obligatoire', 'la valeur est obligatoire');
    else if (!COMMUNE_CODE.test(code)) fail('commune_code', 'code_insee', 'un code INSEE de commune (5 caractères) est attendu', cell('commune_code'));
    else if (communes && !communes.has(code)) fail('commune_code', 'commune_connue', 'cette commune n’est pas dans le territoire de l’instance', code);
    const annee = num('annee', { required: true, integer: true, min: 2000 });
    if (annee !== null && annee > 2100) fail('annee', 'entier', 'une année entre 2000 et 2100 est attendue', String(annee));
    const population = num('population', { integer: true });
    const rp = num('residences_principales', { required: true, integer: true, min: 1 });
    const lls = num('logements_sociaux', { required: true, integer: true });
    const rateRaw = cell('taux_legal');
    const tauxNum = parseNumber(rateRaw.replace('%', ''));
    const rate = tauxNum === null ? null : tauxNum > 1 ? tauxNum / 100 : tauxNum;
    if (!rateRaw) fail('taux_legal', 'obligatoire', 'la valeur est obligatoire');
    else if (rate !== 0.2 && rate !== 0.25) fail('taux_legal', 'taux_sru', 'le taux légal est 20 % ou 25 % (0,20 ou 0,25)', rateRaw);
    const exRaw = cell('exemptee').toLowerCase();
    if (!YES.has(exRaw) && !NO.has(exRaw)) fail('exemptee', 'oui_non', 'oui ou non est attendu', cell('exemptee'));
    const pfh = num('potentiel_fiscal_par_habitant');
    const drf = num('depenses_reelles_fonctionnement');
    const ded = num('depenses_deductibles');
    const source = cell('source');
    if (!source) fail('source', 'obligatoire', 'la source du chiffre est obligatoire (ex. : inventaire notifié par la DDT au 1er janvier)');
    const key = `${code}|${annee}`;
    if (problems.length === before && seen.has(key)) fail('annee', 'unique', 'cette commune a déjà un inventaire pour cette année dans le fichier', String(annee));
    if (problems.length > before) continue;
    seen.add(key);
    out.push({
      communeCode: code,
      year: annee!,
      population,
      mainResidences: rp!,
      socialDwellings: lls!,
      legalRate: rate!,
      exempt: YES.has(exRaw),
      fiscalPotentialPerInhabitant: pfh,
      operatingExpenses: drf,
      deductibleExpenses: ded,
      source,
    });
  }
  return { inventaires: out, problems };
}
