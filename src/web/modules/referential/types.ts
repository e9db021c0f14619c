// Shapes of the referential API's answers, as the pages use them.
export interface SchemaListItem {
  name: string;
  title: string;
  description: string;
  version: string;
  versions: string[];
  politique: string;
  producteurs: string[];
  champs: number;
}

export interface SchemaField {
  name: string;
  title?: string;
  description: string;
  example?: string | number | boolean;
  type: string;
  format?: string;
  'x-unite'?: string;
  constraints?: {
    required?: boolean;
    unique?: boolean;
    enum?: (string | number)[];
    pattern?: string;
    minimum?: number | string;
    maximum?: number | string;
    minLength?: number;
    maxLength?: number;
  };
}

export interface TableSchema {
  name: string;
  title: string;
  description: string;
  version: string;
  homepage?: string;
  fields: SchemaField[];
  primaryKey?: string | string[];
  'x-habitat': {
    politique: string;
    references: { champ: string; vers: string }[];
    controles: ({ type: 'somme'; total: string; parties: string[] } | { type: 'inferieur-ou-egal'; champ: string; limite: string })[];
    producteurs: string[];
  };
}

export interface Charters {
  description: string;
  frequences: Record<string, { libelle: string; jours: number }>;
  chartes: {
    type_partenaire: string;
    titre: string;
    flux: { schema: string; frequence: string; obligatoire: boolean; delai_de_grace_jours: number; precisions?: string }[];
    services: string[];
  }[];
}

export interface Problem {
  line: number;
  column?: string;
  rule: string;
  value?: string;
  severity: 'erreur' | 'avertissement';
  message: string;
  fix: string;
}

export interface Report {
  schema: { name: string; version: string; title: string };
  policy: string;
  status: 'acceptee' | 'partielle' | 'refusee';
  verdict: string;
  summary: { rowsTotal: number; rowsValid: number; rowsInvalid: number; rowsAccepted: number; errors: number; warnings: number; byRule: Record<string, number>; byColumn: Record<string, number> };
  header: Problem[];
  problems: Problem[];
  truncated: boolean;
  file?: { name?: string; format: string; encoding?: string; delimiter?: string };
}

export interface Delivery {
  id: string;
  organisationId: string;
  organisationName: string;
  schemaName: string;
  schemaVersion: string;
  receivedAt: string;
  lastReceivedAt: string;
  timesReceived: number;
  filename: string | null;
  byteSize: number;
  status: 'acceptee' | 'partielle' | 'refusee';
  rowsTotal: number;
  rowsValid: number;
  rowsAccepted: number;
  onBehalf: boolean;
}

export interface FeedCompliance {
  schema: string;
  attendu: boolean;
  obligatoire: boolean;
  frequence: string | null;
  derniereLivraison: { date: string; statut: string; partValide: number | null } | null;
  echeance: string | null;
  fraicheur: 'a-jour' | 'en-retard' | 'jamais-livre' | null;
  partValide: number | null;
  tendance: { date: string; partValide: number | null }[];
  sens: 'hausse' | 'baisse' | 'stable' | null;
  livraisons: number;
}

export const STATUS_LABELS: Record<string, string> = { acceptee: 'Acceptée', partielle: 'Acceptée en partie', refusee: 'Refusée' };
export const POLICY_LABELS: Record<string, string> = {
  'tout-ou-rien': 'Tout ou rien : la livraison n’est enregistrée que si toutes ses lignes sont valides.',
  'ligne-à-ligne': 'Ligne à ligne : les lignes valides sont enregistrées, les autres sont signalées pour correction.',
};
export const PARTNER_LABELS: Record<string, string> = {
  commune: 'Communes',
  bailleur: 'Bailleurs sociaux',
  promoteur: 'Promoteurs',
  etat: 'Services de l’État',
  adil: 'ADIL',
  epci: 'EPCI',
};
// The labels are the module's (compliance.ts, pure): one copy.
export { FRESHNESS_LABELS } from '../../../modules/referential/compliance.ts';
export const formatDate = (iso: string) => new Date(iso).toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric' });
export const formatShare = (x: number | null) => (x === null ? '—' : `${(x * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} %`);
