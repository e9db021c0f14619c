// One line of the Sitadel file "autorisations d'urbanisme créant des logements" turned into a permit, or the reasons it
// is refused. Pure: the streaming reader feeds it records keyed by lower-cased column code (editions differ in case).
// Definitions (autorisé, commencé, types of dwellings): ../shared/data/rules/sitadel.json and the SDES dictionary.
import type { InputProblem } from '../../../platform/errors.ts';
import { COMMUNE_CODE } from '../../territory/index.ts';
import type { ProgrammeState } from '../model.ts';

/** A permit's state as Sitadel's ETAT_DAU gives it. */
type PermitState = 'authorised' | 'cancelled' | 'started' | 'completed';

export interface SitadelPermit {
  line: number;
  typeDau: 'PC' | 'DP' | 'PA';
  numDau: string;
  communeCode: string;
  state: PermitState;
  authorisationDate: string;
  worksStartDate: string | null;
  completionDate: string | null;
  /** First day of the month of the last update (DPC_DERN), used to date an annulment, which has no date of its own. */
  lastUpdateDate: string | null;
  filingYear: number | null;
  units: number;
  singleHouse: number;
  groupedHouses: number;
  collective: number;
  residence: number;
  socialRented: number;
  aidedOwnership: number;
  address: string | null;
  projectOwner: string | null;
  /** Non-blocking remarks (the line is kept). */
  warnings: string[];
}

/** The columns a line must have, by lower-cased code. */
export const REQUIRED_COLUMNS = [
  'comm', 'type_dau', 'num_dau', 'etat_dau', 'date_reelle_autorisation', 'date_reelle_doc', 'date_reelle_daact',
  'nb_lgt_tot_crees', 'nb_lgt_ind_crees', 'nb_lgt_col_crees', 'nb_lgt_indiv_purs', 'nb_lgt_indiv_groupes', 'nb_lgt_res',
  'nb_lgt_col_hors_res', 'nb_lgt_pret_loc_social', 'nb_lgt_acc_soc_hors_ptz',
] as const;

// SDES dictionary: 2 = Autorisé, 4 = Annulé, 5 = Commencé, 6 = Terminé.
const STATES: Record<string, PermitState> = { '2': 'authorised', '4': 'cancelled', '5': 'started', '6': 'completed' };

function validIsoDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

export function parseSitadelRecord(
  rec: Record<string, string | undefined>,
  line: number,
  file: string,
): { permit: SitadelPermit; problems?: undefined } | { permit?: undefined; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const get = (col: string) => (rec[col] ?? '').trim();
  const fail = (column: string, rule: string, message: string) => problems.push({ file, line, column: column.toUpperCase(), rule, value: get(column), message });

  const communeCode = get('comm');
  if (!COMMUNE_CODE.test(communeCode)) fail('comm', 'code_commune', 'le code INSEE de la commune doit avoir 5 caractères (ex. 31555).');
  const typeDau = get('type_dau').toUpperCase();
  if (!['PC', 'DP', 'PA'].includes(typeDau)) fail('type_dau', 'type_dau', 'le type d’autorisation doit être PC, DP ou PA.');
  const numDau = get('num_dau').toUpperCase();
  if (!/^[0-9A-Z]{10,20}$/.test(numDau)) fail('num_dau', 'numero_dau', 'le numéro d’enregistrement de l’autorisation est absent ou mal formé.');
  const state = STATES[get('etat_dau')];
  if (!state) fail('etat_dau', 'etat_dau', 'l’état d’avancement doit être 2 (autorisé), 4 (annulé), 5 (commencé) ou 6 (terminé).');

  const date = (col: string, required: boolean): string | null => {
    const v = get(col);
    if (!v) {
      if (required) fail(col, 'date_obligatoire', 'la date est obligatoire.');
      return null;
    }
    if (!validIsoDate(v)) {
      fail(col, 'date', 'la date doit être au format AAAA-MM-JJ.');
      return null;
    }
    return v;
  };
  const authorisationDate = date('date_reelle_autorisation', true);
  const worksStartDate = date('date_reelle_doc', false);
  const completionDate = date('date_reelle_daact', false);

  const count = (col: string): number => {
    const v = get(col);
    if (v === '') return 0;
    if (!/^\d+$/.test(v)) {
      fail(col, 'entier_positif', 'le nombre de logements doit être un entier positif ou nul.');
      return 0;
    }
    return Number(v);
  };
  const units = count('nb_lgt_tot_crees');
  const houses = count('nb_lgt_ind_crees');
  const flats = count('nb_lgt_col_crees');
  const singleHouse = count('nb_lgt_indiv_purs');
  const groupedHouses = count('nb_lgt_indiv_groupes');
  const residence = count('nb_lgt_res');
  const collective = count('nb_lgt_col_hors_res');
  const socialRented = count('nb_lgt_pret_loc_social');
  const aidedOwnership = count('nb_lgt_acc_soc_hors_ptz');
  if (problems.length === 0) {
    if (units === 0) fail('nb_lgt_tot_crees', 'logements_crees', 'une autorisation de ce fichier doit créer au moins un logement.');
    else if (units !== houses + flats)
      fail('nb_lgt_tot_crees', 'total_logements', `le total doit être la somme des individuels (${houses}) et des collectifs (${flats}).`);
    else if (socialRented + aidedOwnership > units)
      fail('nb_lgt_pret_loc_social', 'logements_aides', `les logements sociaux (${socialRented}) et en accession aidée (${aidedOwnership}) dépassent le total (${units}).`);
  }
  if (problems.length) return { problems };

  const warnings: string[] = [];
  if (worksStartDate && completionDate && completionDate < worksStartDate) warnings.push('date d’achèvement antérieure à l’ouverture de chantier');
  if (worksStartDate && authorisationDate && worksStartDate < authorisationDate) warnings.push('ouverture de chantier antérieure à l’autorisation');
  if (singleHouse + groupedHouses + collective + residence !== units) warnings.push('types de logements dont la somme diffère du total');

  const num = get('adr_num_ter');
  const street = [get('adr_typevoie_ter'), get('adr_libvoie_ter').replace(/"+/g, '')].filter(Boolean).join(' ');
  const address = street ? [num, street].filter(Boolean).join(' ') : get('adr_lieudit_ter') || null;
  const dpc = get('dpc_dern');
  return {
    permit: {
      line,
      typeDau: typeDau as SitadelPermit['typeDau'],
      numDau,
      communeCode,
      state: state!,
      authorisationDate: authorisationDate!,
      worksStartDate,
      completionDate,
      lastUpdateDate: /^\d{4}-\d{2}$/.test(dpc) ? `${dpc}-01` : null,
      filingYear: /^\d{4}$/.test(get('an_depot')) ? Number(get('an_depot')) : null,
      units,
      singleHouse,
      groupedHouses,
      collective,
      residence,
      socialRented,
      aidedOwnership,
      address,
      projectOwner: get('denom_dem') || null,
      warnings,
    },
  };
}

/**
 * The pipeline a permit has gone through, in order, each step with its date: granted at the authorisation date, then
 * the opening of works (DOC), the completion (DAACT), or the annulment. A step whose own date is missing takes the
 * month of the last update, never a date earlier than the step before it.
 */
export function sitadelSteps(p: SitadelPermit): { state: ProgrammeState; date: string }[] {
  const steps: { state: ProgrammeState; date: string }[] = [{ state: 'permit_granted', date: p.authorisationDate }];
  const fallback = () => {
    const last = steps[steps.length - 1].date;
    return p.lastUpdateDate && p.lastUpdateDate > last ? p.lastUpdateDate : last;
  };
  if (p.worksStartDate || p.state === 'started' || p.state === 'completed') steps.push({ state: 'works_started', date: p.worksStartDate ?? fallback() });
  if (p.state === 'completed') steps.push({ state: 'delivered', date: p.completionDate ?? fallback() });
  if (p.state === 'cancelled') steps.push({ state: 'abandoned', date: fallback() });
  return steps;
}
