// Labels and formats of the referential's pages. The answers' types come from the module's contract (contract.ts),
// the schemas' and charters' from schema.ts and compliance.ts: no hand-written copy here.
export { FRESHNESS_LABELS } from '../../../modules/referential/compliance.ts';
export { STATUS_LABELS } from '../../../modules/referential/model.ts';
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
export const formatDate = (iso: string) => new Date(iso).toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric' });
export const formatShare = (x: number | null) => (x === null ? '—' : `${(x * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} %`);
