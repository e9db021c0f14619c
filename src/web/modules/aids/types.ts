// Shapes of the aids API answers (mirrors src/modules/aids/routes.ts schemas).
export interface Question {
  id: string;
  libelle: string;
  aide?: string;
  type: 'nombre' | 'oui_non' | 'choix' | 'commune';
  unite?: string;
  min?: number;
  max?: number;
  options?: { valeur: string; libelle: string }[];
  obligatoire: boolean;
  visibleSi?: { question: string; valeurs?: (string | boolean)[]; min?: number; egal?: number };
}

export interface SimulatorInfo {
  id: string;
  titre: string;
  description: string;
  questions: Question[];
}

export type Verification = 'officiel' | 'calcule' | 'secondaire' | 'deduit' | 'a_verifier';

export interface Condition {
  id: string;
  statut: 'remplie' | 'non_remplie' | 'inconnue';
  texte: string;
  table?: { fichier: string; verification: Verification; verification_libelle: string; note: string; sources: { titre: string; url?: string }[] };
}

export interface AidAnswer {
  id: string;
  nom: string;
  verdict: 'eligible' | 'non_eligible' | 'inconnu';
  libelle_verdict?: string;
  resume: string;
  conditions: Condition[];
  informations: string[];
  manque: string[];
  contact?: { nom: string; texte: string; url?: string };
  source?: string;
}

export interface SimulationAnswer {
  simulateur: string;
  titre: string;
  date: string;
  annee: number;
  aides: AidAnswer[];
  contexte: string[];
  avertissements: string[];
}

export const isVerified = (v: Verification) => v === 'officiel' || v === 'calcule';
