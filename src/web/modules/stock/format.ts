// How the stock pages show the API's figures; the labels come from the server's model, the shapes from its contract.
import type { PublishedFigure } from '../../../modules/stock/contract.ts';

export { DPE_CLASSES as CLASSES, INCIDENT_CATEGORY_LABELS, INCIDENT_STATUS_LABELS } from '../../../modules/stock/model.ts';

export const showPublished = (p: PublishedFigure) => (p.withheld ? 'secret' : (p.value ?? 0).toLocaleString('fr-FR'));
export const frenchDate = (iso: string) => new Date(iso).toLocaleDateString('fr-FR');
export const frenchDateTime = (iso: string) => new Date(iso).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' });
