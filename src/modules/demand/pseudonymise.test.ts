import { describe, expect, it } from 'vitest';
import type { Demand } from './model.ts';
import { EXPORT_COLUMNS, pseudonym, pseudonymisedCsv } from './pseudonymise.ts';

const demand: Demand = {
  number: '069SYN2400001',
  epci_siren: '200046977',
  filing_date: '2024-03-24',
  renewal_date: null,
  status: 'attribuee',
  adults: 1,
  children: 2,
  monthly_income: 1300,
  residual_rent: 500,
  housing_situation: 'locataire_prive',
  current_surface: 40,
  typology: 'T3',
  communes: ['69266', '69259'],
  mutation: false,
  flags: ['menace_expulsion', 'violences'],
  refusals: 0,
};

describe('pseudonymised export', () => {
  it('gives a stable pseudonym per secret, that differs between instances', () => {
    expect(pseudonym('s1', demand.number)).toBe(pseudonym('s1', demand.number));
    expect(pseudonym('s1', demand.number)).not.toBe(pseudonym('s2', demand.number));
    expect(pseudonym('s1', demand.number)).toMatch(/^[0-9a-f]{20}$/);
  });

  it('writes bands and months, never the number, the birth date or the exact income', () => {
    const csv = pseudonymisedCsv([{ ...demand, birth_date: '1990-05-17', attribution_date: '2026-06-15', attribution_commune: '69266', score: 35 }], 'secret', '2026-11-01');
    const [header, line] = csv.trim().split('\n');
    expect(header.split(';')).toEqual([...EXPORT_COLUMNS]);
    const row = Object.fromEntries(header.split(';').map((c, i) => [c, line.split(';')[i]]));
    expect(row).toEqual({
      pseudonyme: pseudonym('secret', demand.number),
      epci_siren: '200046977',
      mois_depot: '2024-03',
      anciennete_mois: '31',
      statut: 'attribuee',
      tranche_age: '35-44 ans',
      nb_adultes: '1',
      nb_enfants: '2',
      tranche_ressources: '1000-1500 €',
      situation_logement: 'locataire_prive',
      typologie: 'T3',
      communes_souhaitees: '69266|69259',
      priorites: 'menace_expulsion|violences',
      nb_refus: '0',
      note: '35',
      mois_attribution: '2026-06',
      commune_attribution: '69266',
    });
    expect(csv).not.toMatch(/069SYN|1990|1300|2024-03-24/);
  });
});
