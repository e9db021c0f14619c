// Shapes of the stock API answers the pages read; labels and summaries the server defines come from its model.
import { INCIDENT_CATEGORY_LABELS, type DurationSummary } from '../../../modules/stock/model.ts';

export type DpeClass = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G';
export const CLASSES: DpeClass[] = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
export type Published = { valeur: number | null; secret: boolean; raison?: string };
export type Counts = Record<DpeClass | 'inconnu', number>;

export interface TerritoryEnergy {
  millesime: number | null;
  source: string;
  calendrier: string;
  seuil_secret: number;
  communes: {
    code: string;
    nom: string;
    logements: Published;
    classes_connues: Published;
    interdits_2025: Published;
    interdits_2028: Published;
    interdits_2034: Published;
  }[];
}

export interface CommuneEnergy {
  commune: { code: string; nom: string };
  seuil_secret: number;
  calendrier: string;
  rpls: {
    millesime: number;
    source: string;
    logements: Published;
    classes: Record<DpeClass | 'inconnu', Published>;
    interdits_aujourdhui: Published;
    etapes: { date: string; classe_exclue: DpeClass; logements_interdits: Published }[];
  } | null;
  dpe_ademe: { source: string; nb_dpe: Published; classes: Record<DpeClass | 'inconnu', Published>; derniere_reception: string | null };
}

export interface Exposure {
  total: number;
  connus: number;
  inconnus: number;
  interditsAujourdhui: number;
  etapes: { date: string; classe_exclue: DpeClass; logements_interdits: number; part_des_connus: number | null }[];
}

export interface ExposureAnswer {
  niveau: string;
  code: string;
  nom: string;
  calendrier: string;
  rpls: { millesime: number; source: string; classes: Counts; exposition: Exposure } | null;
  parc_declare: { source: string; batiments: number; classes: Counts; exposition: Exposure };
}

export interface Priority {
  rang: number;
  id: string;
  label: string;
  dpe: DpeClass | null;
  nb_logements: number;
  interdit_depuis: string | null;
  raison: string;
}

export interface Incident {
  id: string;
  batiment_id: string;
  batiment: string;
  commune_code: string;
  adresse: string | null;
  type: string;
  gravite: string;
  statut: 'ouvert' | 'en-cours' | 'resolu';
  debut: string;
  resolution: string | null;
}

export interface DurationLine extends DurationSummary {
  libelle: string;
}

/** The server's labels, indexed by any string (an unknown type falls back to its code where shown). */
export const INCIDENT_TYPES: Record<string, string> = INCIDENT_CATEGORY_LABELS;
export const STATUS_LABELS = { ouvert: 'Ouvert', 'en-cours': 'En cours', resolu: 'Résolu' } as const;

export const showPublished = (p: Published) => (p.secret ? 'secret' : (p.valeur ?? 0).toLocaleString('fr-FR'));
export const frenchDate = (iso: string) => new Date(iso).toLocaleDateString('fr-FR');
export const frenchDateTime = (iso: string) => new Date(iso).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' });
