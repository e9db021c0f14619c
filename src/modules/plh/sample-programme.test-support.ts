// A small programme for tests: two orientations, two actions, budgets and targets in two Toulouse Métropole communes.
// The figures are test values, not a real PLH.
import type { ProgrammeData } from './ingest/programme-sheet.ts';

export const SAMPLE: ProgrammeData = {
  name: 'PLH de test 2025-2030',
  startYear: 2025,
  endYear: 2030,
  sruCatchUpRate: 0.33,
  orientations: [
    { code: '1', title: 'Produire une offre de logements diversifiée et abordable' },
    { code: '2', title: 'Améliorer le parc existant' },
  ],
  actions: [
    {
      code: '1.1',
      orientationCode: '1',
      title: 'Financer le logement locatif social',
      lead: 'EPCI',
      partners: 'Bailleurs sociaux ; État',
      status: 'en_cours',
      indicators: 'Logements sociaux financés par an',
      indicatorCategory: 'logements_sociaux',
      comment: 'Programmation « 2026 » validée; voir délibération',
    },
    { code: '2.1', orientationCode: '2', title: 'Aider la rénovation énergétique', lead: 'EPCI', partners: 'ADIL', status: 'a_engager', indicators: '', indicatorCategory: 'renovation', comment: '' },
  ],
  budgets: [
    { actionCode: '1.1', year: 2025, plannedEuros: 1_500_000, spentEuros: 1_250_000.5 },
    { actionCode: '1.1', year: 2026, plannedEuros: 1_600_000, spentEuros: 0 },
    { actionCode: '2.1', year: 2026, plannedEuros: 300_000, spentEuros: 120_000 },
  ],
  targets: [
    { communeCode: '31069', category: 'logements_sociaux', startYear: 2025, endYear: 2030, value: 600, actionCode: '1.1' },
    { communeCode: '31555', category: 'logements', startYear: 2025, endYear: 2030, value: 21_000, actionCode: null },
    { communeCode: '31555', category: 'logements_sociaux', startYear: 2025, endYear: 2030, value: 7_000, actionCode: '1.1' },
  ],
};
