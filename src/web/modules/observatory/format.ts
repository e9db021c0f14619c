// French formats of the observatory's figures: a value with its unit, an edition's date, a figure's provenance.
import type { NoData } from '../../../modules/observatory/contract.ts';
import { formatNumber } from '../../platform/api.ts';

/** Decimals by unit: rates and ratios get one, counts and prices none. */
const digitsOf = (unit: string, v: number) => (unit === '%' || unit.startsWith('années') || unit.startsWith('demandes par') || Math.abs(v) < 10 ? 1 : 0);

/** The number alone, for a table whose header carries the unit. */
export const formatPlain = (v: number, unit: string) => formatNumber(v, digitsOf(unit, v));

/** « 3 240 €/m² », « 14,7 % », « 150 659 habitants ». */
export const formatValue = (v: number, unit: string) => `${formatNumber(v, digitsOf(unit, v))}${unit === '%' ? ' %' : ` ${unit}`}`;

/** « 12 mars 2024 » from an ISO date (or the text itself when it is not a date). */
export function frenchDate(iso: string | null): string {
  if (!iso) return 'date inconnue';
  if (!/^\d{4}-\d{2}-\d{2}/.test(iso)) return iso;
  const d = new Date(iso.slice(0, 10) + 'T12:00:00Z');
  return d.toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** « Insee, comparateur de territoires, édition 2025 du 30 juin 2025 ». */
export function provenanceText(p: { source: string; edition: string | null; edition_date: string | null }): string {
  const edition = p.edition ? `, édition ${p.edition.replace(/^édition /, '')}` : '';
  const date = p.edition_date ? ` (${frenchDate(p.edition_date)})` : '';
  return `${p.source}${edition}${date}`;
}

/** The French word of a no-data reason, said once before its message. */
export const NO_DATA_LABEL: Record<NoData['reason'], string> = { not_loaded: 'source non chargée', secrecy: 'secret statistique', not_applicable: 'sans objet' };
