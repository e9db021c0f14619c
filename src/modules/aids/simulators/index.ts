// The simulators the public pages list: questions, input schema and the function that answers.
import type { z } from 'zod';
import type { LocalAid, SimulationAnswer, TableSet } from '../model.ts';
import type { Question } from './common.ts';
import { ownershipInput, ownershipQuestions, simulateOwnership } from './ownership.ts';
import { renovationInput, renovationQuestions, simulateRenovation } from './renovation.ts';
import { simulateSocialHousing, socialHousingInput, socialHousingQuestions, type SocialHousingInput } from './social-housing.ts';

// `simulate` is a method: each simulator takes its own input (checked by its `input` schema before the call).
export interface Simulator<I = unknown> {
  id: string;
  title: string;
  description: string;
  input: z.ZodType<I>;
  questions(t: TableSet): Question[];
  simulate(input: I, t: TableSet, localAids: LocalAid[], epciName?: (siren: string) => string): SimulationAnswer;
}

export const SIMULATORS: Simulator[] = [
  {
    id: 'social-housing',
    title: 'Logement social',
    description: 'Savoir si vos revenus permettent d’accéder à un logement social (PLAI, PLUS, PLS).',
    input: socialHousingInput,
    questions: socialHousingQuestions,
    simulate: (input: SocialHousingInput, t: TableSet) => simulateSocialHousing(input, t),
  },
  {
    id: 'ownership',
    title: 'Devenir propriétaire',
    description: 'Prêt à taux zéro, location-accession (PSLA), bail réel solidaire (BRS) et aides de l’intercommunalité.',
    input: ownershipInput,
    questions: ownershipQuestions,
    simulate: simulateOwnership,
  },
  {
    id: 'renovation',
    title: 'Rénover un logement',
    description: 'Votre catégorie MaPrimeRénov’, le calendrier de location selon le DPE et les compléments de l’intercommunalité.',
    input: renovationInput,
    questions: renovationQuestions,
    simulate: simulateRenovation,
  },
];

export const simulatorById = (id: string) => SIMULATORS.find((s) => s.id === id);
export type { Question } from './common.ts';
