// Pseudonymised export of demands for analysis: the number becomes an HMAC with the instance's secret (stable
// across exports, not reversible without the secret), no names or contacts, ages and incomes in bands, months only.
import { createHmac } from 'node:crypto';
import { toCsv, type CsvValue } from '../../platform/csv.ts';
import { ageBand, type Demand, incomeBand, monthsBetween } from './model.ts';

export function pseudonym(secret: string, numero: string): string {
  return createHmac('sha256', secret).update(numero).digest('hex').slice(0, 20);
}

export const EXPORT_COLUMNS = [
  'pseudonyme',
  'epci_siren',
  'mois_depot',
  'anciennete_mois',
  'statut',
  'tranche_age',
  'nb_adultes',
  'nb_enfants',
  'tranche_ressources',
  'situation_logement',
  'typologie',
  'communes_souhaitees',
  'priorites',
  'nb_refus',
  'note',
  'mois_attribution',
  'commune_attribution',
] as const;

export interface ExportInput extends Demand {
  birthDate: string | null;
  dateAttribution: string | null;
  communeAttribution: string | null;
  score: number | null;
}


export function pseudonymisedCsv(rows: ExportInput[], secret: string, refDate: string): string {
  const lines: CsvValue[][] = [[...EXPORT_COLUMNS]];
  for (const r of rows) {
    const values: Record<(typeof EXPORT_COLUMNS)[number], unknown> = {
      pseudonyme: pseudonym(secret, r.numero),
      epci_siren: r.epciSiren,
      mois_depot: r.dateDepot.slice(0, 7),
      anciennete_mois: monthsBetween(r.dateDepot, refDate),
      statut: r.status,
      tranche_age: ageBand(r.birthDate, refDate),
      nb_adultes: r.adults,
      nb_enfants: r.children,
      tranche_ressources: incomeBand(r.monthlyIncome),
      situation_logement: r.housingSituation,
      typologie: r.typology,
      communes_souhaitees: r.communes.join('|'),
      priorites: r.flags.join('|'),
      nb_refus: r.refusals,
      note: r.score,
      mois_attribution: r.dateAttribution?.slice(0, 7) ?? null,
      commune_attribution: r.communeAttribution,
    };
    lines.push(EXPORT_COLUMNS.map((c) => values[c] as CsvValue));
  }
  return toCsv(lines, { delimiter: ';', newline: '\n' });
}
