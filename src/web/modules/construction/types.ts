// Shapes of the construction API answers and French labels, shared by the pages.
export const STATE_LABELS: Record<string, string> = {
  projet: 'Projet',
  pc_depose: 'PC déposé',
  pc_accorde: 'PC accordé',
  chantier_ouvert: 'Chantier ouvert',
  livre: 'Livré',
  abandonne: 'Abandonné',
};
export const SOURCE_LABELS: Record<string, string> = { sitadel: 'Sitadel', partenaire: 'Partenaire', saisie: 'Saisie' };
export const FINANCING_LABELS: Record<string, string> = {
  plai: 'PLAI', plus: 'PLUS', pls: 'PLS', psla: 'PSLA', brs: 'BRS', libre: 'Libre',
  lls_non_ventile: 'Locatif social (non précisé)', accession_non_ventilee: 'Accession aidée (non précisée)',
};
export const TYPE_LABELS: Record<string, string> = { individuel_pur: 'Individuel pur', individuel_groupe: 'Individuel groupé', collectif: 'Collectif', residence: 'Résidence' };

/** Which states an agent may move a programme to from `from` (mirror of canTransition in the module's model). */
export function nextStates(from: string): string[] {
  const order = ['projet', 'pc_depose', 'pc_accorde', 'chantier_ouvert', 'livre'];
  if (from === 'livre' || from === 'abandonne') return [];
  return [...order.slice(order.indexOf(from) + 1), 'abandonne'];
}

export interface Programme {
  id: string;
  nom: string;
  code_commune: string;
  commune: string | null;
  adresse: string | null;
  lat: number | null;
  lon: number | null;
  etat: string;
  etat_depuis: string;
  source: string;
  maitre_ouvrage: string | null;
  logements: number;
  logements_sociaux: number;
  financement: Record<string, number>;
  types: Record<string, number>;
  date_autorisation: string | null;
  date_chantier: string | null;
  date_livraison: string | null;
  rapprochement: { programme_id: string; statut: string; motif: string | null } | null;
  permis: string[];
}

export interface Progress {
  elapsed: number;
  expectedByNow: number;
  remaining: number;
  yearsLeft: number;
  pacePerYear: number;
  pacePerYearSocial: number;
  remainingSocial: number;
  behind: boolean;
  behindTotal: boolean;
  behindSocial: boolean;
  rate: number | null;
}

export interface DashboardRow {
  code_commune?: string;
  commune?: string;
  epci?: string | null;
  epci_nom: string | null;
  sru?: boolean;
  periode_debut: number;
  periode_fin: number;
  objectif_logements: number;
  objectif_logements_sociaux: number;
  autorises: number;
  autorises_sociaux: number;
  commences: number;
  livres: number;
  avancement: Progress;
}

export const formatDate = (d: string | null | undefined) => (d ? new Date(`${d}T12:00:00Z`).toLocaleDateString('fr-FR') : '—');
