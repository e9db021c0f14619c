// The simulators the public pages list: questions, input schema and the function that answers.
import type { z } from 'zod';
import type { LocalAid, SimulationAnswer, TableSet } from '../model.ts';
import type { Question } from './common.ts';
import { ownershipInput, ownershipQuestions, simulateOwnership } from './ownership.ts';
import { renovationInput, renovationQuestions, simulateRenovation } from './renovation.ts';
import { simulateSocialHousing, socialHousingInput, socialHousingQuestions } from './social-housing.ts';

export interface Simulator {
  id: string;
  titre: string;
  description: string;
  input: z.ZodType<any>;
  questions(t: TableSet): Question[];
  simulate(input: any, t: TableSet, localAids: LocalAid[], epciName?: (siren: string) => string): SimulationAnswer;
}

export const SIMULATORS: Simulator[] = [
  {
    id: 'logement-social',
    titre: 'Logement social',
    description: 'Savoir si vos revenus permettent d’accéder à un logement social (PLAI, PLUS, PLS).',
    input: socialHousingInput,
    questions: socialHousingQuestions,
    simulate: (input, t) => simulateSocialHousing(input, t),
  },
  {
    id: 'accession',
    titre: 'Devenir propriétaire',
    description: 'Prêt à taux zéro, location-accession (PSLA), bail réel solidaire (BRS) et aides de l’intercommunalité.',
    input: ownershipInput,
    questions: ownershipQuestions,
    simulate: simulateOwnership,
  },
  {
    id: 'renovation',
    titre: 'Rénover un logement',
    description: 'Votre catégorie MaPrimeRénov’, le calendrier de location selon le DPE et les compléments de l’intercommunalité.',
    input: renovationInput,
    questions: renovationQuestions,
    simulate: simulateRenovation,
  },
];

export const simulatorById = (id: string) => SIMULATORS.find((s) => s.id === id);
export type { Question } from './common.ts';
