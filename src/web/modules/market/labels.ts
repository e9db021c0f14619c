// The portal's French labels and dates.
import type { PortalType } from '../../../modules/market/contract.ts';

export const TYPE_OPTIONS: { value: PortalType; label: string }[] = [
  { value: 'maison_appartement', label: 'Maisons et appartements' },
  { value: 'appartement', label: 'Appartements' },
  { value: 'maison', label: 'Maisons' },
];

export const TYPE_LABEL: Record<PortalType, string> = {
  maison: 'maisons',
  appartement: 'appartements',
  maison_appartement: 'maisons et appartements',
};

/** « 12 mars 2024 » from an ISO date. */
export function frenchDate(iso: string | null): string {
  if (!iso) return 'date inconnue';
  const d = new Date(iso.slice(0, 10) + 'T12:00:00Z');
  return d.toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}
