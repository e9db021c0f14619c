// One line of the Sitadel file "autorisations d'urbanisme créant des logements" turned into a permit, or the reasons it
// is refused. Pure: the streaming reader feeds it records keyed by lower-cased column code (editions differ in case).
// Definitions (autorisé, commencé, types of dwellings): ../shared/data/rules/sitadel.json and the SDES dictionary.
import type { InputProblem } from '../../../platform/errors.ts';

export type PermitEtat = 'autorise' | 'annule' | 'commence' | 'acheve';

export interface SitadelPermit {
  line: number;
  typeDau: 'PC' | 'DP' | 'PA';
  numDau: string;
  communeCode: string;
  etat: PermitEtat;
  dateAutorisation: string;
  dateChantier: string | null;
  dateAchevement: string | null;
  /** First day of the month of the last update (DPC_DERN), used to date an annulment, which has no date of its own. */
  dateDerniereMaj: string | null;
  anDepot: number | null;
  units: number;
  individuelPur: number;
  individuelGroupe: number;
  collectif: number;
  residence: number;
  locatifSocial: number;
  accessionAidee: number;
  address: string | null;
  maitreOuvrage: string | null;
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
const ETATS: Record<string, PermitEtat> = { '2': 'autorise', '4': 'annule', '5': 'commence', '6': 'acheve' };

export function validIsoDate(v: string): boolean {
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
  if (!/^[0-9][0-9AB][0-9]{3}$/.test(communeCode)) fail('comm', 'code_commune', 'le code INSEE de la commune doit avoir 5 caractères (ex. 31555).');
  const typeDau = get('type_dau').toUpperCase();
  if (!['PC', 'DP', 'PA'].includes(typeDau)) fail('type_dau', 'type_dau', 'le type d’autorisation doit être PC, DP ou PA.');
  const numDau = get('num_dau').toUpperCase();
  if (!/^[0-9A-Z]{10,20}$/.test(numDau)) fail('num_dau', 'numero_dau', 'le numéro d’enregistrement de l’autorisation est absent ou mal formé.');
  const etat = ETATS[get('etat_dau')];
  if (!etat) fail('etat_dau', 'etat_dau', 'l’état d’avancement doit être 2 (autorisé), 4 (annulé), 5 (commencé) ou 6 (terminé).');

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
  const dateAutorisation = date('date_reelle_autorisation', true);
  const dateChantier = date('date_reelle_doc', false);
  const dateAchevement = date('date_reelle_daact', false);

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
  const individuels = count('nb_lgt_ind_crees');
  const collectifs = count('nb_lgt_col_crees');
  const individuelPur = count('nb_lgt_indiv_purs');
  const individuelGroupe = count('nb_lgt_indiv_groupes');
  const residence = count('nb_lgt_res');
  const collectif = count('nb_lgt_col_hors_res');
  const locatifSocial = count('nb_lgt_pret_loc_social');
  const accessionAidee = count('nb_lgt_acc_soc_hors_ptz');
  if (problems.length === 0) {
    if (units === 0) fail('nb_lgt_tot_crees', 'logements_crees', 'une autorisation de ce fichier doit créer au moins un logement.');
    else if (units !== individuels + collectifs)
      fail('nb_lgt_tot_crees', 'total_logements', `le total doit être la somme des individuels (${individuels}) et des collectifs (${collectifs}).`);
    else if (locatifSocial + accessionAidee > units)
      fail('nb_lgt_pret_loc_social', 'logements_aides', `les logements sociaux (${locatifSocial}) et en accession aidée (${accessionAidee}) dépassent le total (${units}).`);
  }
  if (problems.length) return { problems };

  const warnings: string[] = [];
  if (dateChantier && dateAchevement && dateAchevement < dateChantier) warnings.push('date d’achèvement antérieure à l’ouverture de chantier');
  if (dateChantier && dateAutorisation && dateChantier < dateAutorisation) warnings.push('ouverture de chantier antérieure à l’autorisation');
  if (individuelPur + individuelGroupe + collectif + residence !== units) warnings.push('types de logements dont la somme diffère du total');

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
      etat: etat!,
      dateAutorisation: dateAutorisation!,
      dateChantier,
      dateAchevement,
      dateDerniereMaj: /^\d{4}-\d{2}$/.test(dpc) ? `${dpc}-01` : null,
      anDepot: /^\d{4}$/.test(get('an_depot')) ? Number(get('an_depot')) : null,
      units,
      individuelPur,
      individuelGroupe,
      collectif,
      residence,
      locatifSocial,
      accessionAidee,
      address,
      maitreOuvrage: get('denom_dem') || null,
      warnings,
    },
  };
}

/**
 * The pipeline a permit has gone through, in order, each step with its date: granted at the authorisation date, then
 * the opening of works (DOC), the completion (DAACT), or the annulment. A step whose own date is missing takes the
 * month of the last update, never a date earlier than the step before it.
 */
export function sitadelSteps(p: SitadelPermit): { state: 'pc_accorde' | 'chantier_ouvert' | 'livre' | 'abandonne'; date: string }[] {
  const steps: { state: 'pc_accorde' | 'chantier_ouvert' | 'livre' | 'abandonne'; date: string }[] = [{ state: 'pc_accorde', date: p.dateAutorisation }];
  const fallback = () => {
    const last = steps[steps.length - 1].date;
    return p.dateDerniereMaj && p.dateDerniereMaj > last ? p.dateDerniereMaj : last;
  };
  if (p.dateChantier || p.etat === 'commence' || p.etat === 'acheve') steps.push({ state: 'chantier_ouvert', date: p.dateChantier ?? fallback() });
  if (p.etat === 'acheve') steps.push({ state: 'livre', date: p.dateAchevement ?? fallback() });
  if (p.etat === 'annule') steps.push({ state: 'abandonne', date: fallback() });
  return steps;
}
