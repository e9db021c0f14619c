// A small programme for tests: two orientations, two actions, budgets and targets in two Toulouse Métropole communes.
// The figures are test values, not a real PLH.
import type { ProgrammeData } from './ingest/programme-sheet.ts';

export const SAMPLE: ProgrammeData = {
  nom: 'PLH de test 2025-2030',
  anneeDebut: 2025,
  anneeFin: 2030,
  tauxRattrapageSru: 0.33,
  orientations: [
    { code: '1', titre: 'Produire une offre de logements diversifiée et abordable' },
    { code: '2', titre: 'Améliorer le parc existant' },
  ],
  actions: [
    {
      code: '1.1',
      orientationCode: '1',
      titre: 'Financer le logement locatif social',
      pilote: 'EPCI',
      partenaires: 'Bailleurs sociaux ; État',
      statut: 'en_cours',
      indicateurs: 'Logements sociaux financés par an',
      indicateurCategorie: 'logements_sociaux',
      commentaire: 'Programmation « 2026 » validée; voir délibération',
    },
    { code: '2.1', orientationCode: '2', titre: 'Aider la rénovation énergétique', pilote: 'EPCI', partenaires: 'ADIL', statut: 'a_engager', indicateurs: '', indicateurCategorie: 'renovation', commentaire: '' },
  ],
  budgets: [
    { actionCode: '1.1', annee: 2025, prevuEuros: 1_500_000, depenseEuros: 1_250_000.5 },
    { actionCode: '1.1', annee: 2026, prevuEuros: 1_600_000, depenseEuros: 0 },
    { actionCode: '2.1', annee: 2026, prevuEuros: 300_000, depenseEuros: 120_000 },
  ],
  objectifs: [
    { communeCode: '31069', categorie: 'logements_sociaux', anneeDebut: 2025, anneeFin: 2030, valeur: 600, actionCode: '1.1' },
    { communeCode: '31555', categorie: 'logements', anneeDebut: 2025, anneeFin: 2030, valeur: 21_000, actionCode: null },
    { communeCode: '31555', categorie: 'logements_sociaux', anneeDebut: 2025, anneeFin: 2030, valeur: 7_000, actionCode: '1.1' },
  ],
};
