// CSV export of programmes: `;`-separated, UTF-8 with BOM so a spreadsheet opens the accents right.
import { toCsv } from '../../platform/csv.ts';
import { BUILDING_TYPES, FINANCINGS, STATE_LABELS } from './model.ts';
import type { Programme } from './store.ts';

export function programmesCsv(programmes: Programme[]): string {
  const header = ['id', 'nom', 'code_commune', 'commune', 'adresse', 'lat', 'lon', 'etat', 'etat_depuis', 'source', 'permis', 'logements', 'logements_sociaux',
    ...FINANCINGS, ...BUILDING_TYPES, 'date_autorisation', 'date_chantier', 'date_livraison', 'doublon_de', 'rapprochement'];
  const lines = programmes.map((p) => [
    p.id, p.nom, p.code_commune, p.commune, p.adresse, p.lat, p.lon, STATE_LABELS[p.etat], p.etat_depuis, p.source, p.permis.join(' | '), p.logements, p.logements_sociaux,
    ...FINANCINGS.map((k) => p.financement[k]), ...BUILDING_TYPES.map((k) => p.types[k]), p.date_autorisation, p.date_chantier, p.date_livraison,
    p.rapprochement?.programme_id, p.rapprochement?.statut,
  ]);
  return toCsv([header, ...lines] as (string | number | null | undefined)[][], { delimiter: ';', bom: true });
}
