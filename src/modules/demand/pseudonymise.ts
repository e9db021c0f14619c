// Pseudonymised export of demands for analysis: the number becomes an HMAC with the instance's secret (stable
// across exports, not reversible without the secret), no names or contacts, ages and incomes in bands, months only.
import { createHmac } from 'node:crypto';
import { toCsv, type CsvValue } from '../../platform/csv.ts';
import { ageBand, type Demand, incomeBand, monthsBetween } from './model.ts';

export function pseudonym(secret: string, demandNumber: string): string {
  return createHmac('sha256', secret).update(demandNumber).digest('hex').slice(0, 20);
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
  birth_date: string | null;
  attribution_date: string | null;
  attribution_commune: string | null;
  score: number | null;
}


export function pseudonymisedCsv(rows: ExportInput[], secret: string, refDate: string): string {
  const lines: CsvValue[][] = [[...EXPORT_COLUMNS]];
  for (const r of rows) {
    const values: Record<(typeof EXPORT_COLUMNS)[number], unknown> = {
      pseudonyme: pseudonym(secret, r.number),
      epci_siren: r.epci_siren,
      mois_depot: r.filing_date.slice(0, 7),
      anciennete_mois: monthsBetween(r.filing_date, refDate),
      statut: r.status,
      tranche_age: ageBand(r.birth_date, refDate),
      nb_adultes: r.adults,
      nb_enfants: r.children,
      tranche_ressources: incomeBand(r.monthly_income),
      situation_logement: r.housing_situation,
      typologie: r.typology,
      communes_souhaitees: r.communes.join('|'),
      priorites: r.flags.join('|'),
      nb_refus: r.refusals,
      note: r.score,
      mois_attribution: r.attribution_date?.slice(0, 7) ?? null,
      commune_attribution: r.attribution_commune,
    };
    lines.push(EXPORT_COLUMNS.map((c) => values[c] as CsvValue));
  }
  return toCsv(lines, { delimiter: ';', newline: '\n' });
}
