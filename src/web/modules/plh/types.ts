// Shapes of the PLH API answers the pages read, and their French labels.
export const CATEGORIE_LABELS: Record<string, string> = {
  logements: 'Logements produits (tous types)',
  logements_sociaux: 'Logements locatifs sociaux financés',
  accession_aidee: 'Accessions aidées',
  renovation: 'Logements rénovés avec aide',
  hebergement: 'Places d’hébergement et d’accueil',
};
export const STATUT_LABELS: Record<string, string> = { a_engager: 'À engager', en_cours: 'En cours', realisee: 'Réalisée', abandonnee: 'Abandonnée' };
export const FONCIER_STATUT_LABELS: Record<string, string> = {
  identifie: 'Identifié',
  etudie: 'À l’étude',
  maitrise: 'Maîtrisé',
  engage: 'Projet engagé',
  realise: 'Réalisé',
  abandonne: 'Abandonné',
};

export interface Programme {
  id: string;
  nom: string;
  annee_debut: number;
  annee_fin: number;
  taux_rattrapage_sru: number;
  orientations: { code: string; titre: string }[];
  actions: {
    code: string;
    orientation_code: string;
    titre: string;
    pilote: string;
    partenaires: string;
    statut: string;
    indicateurs: string;
    commentaire: string;
    budgets: { annee: number; prevu_euros: number; depense_euros: number }[];
  }[];
}

export interface ObjectifLine {
  commune_code: string;
  commune: string;
  categorie: string;
  annee_debut: number;
  annee_fin: number;
  objectif: number;
  realise: number;
  taux_realisation: number | null;
  avancement_attendu: number;
  sources: string[];
}

export interface SruLine {
  commune_code: string;
  nom: string;
  inventaire_annee: number;
  residences_principales: number;
  logements_sociaux: number;
  taux_legal: number;
  exemptee: boolean;
  taux_actuel: number;
  deficit: number;
  periode: string;
  objectif_triennal: number;
  plai_min: number;
  pls_max: number;
  produits: { plai: number; plus: number; pls: number; total: number };
  taux_realisation: number | null;
  source: string;
}

export interface FoncierSite {
  id: string;
  reference: string;
  nature: 'gisement' | 'friche';
  commune_code: string;
  parcelle: string | null;
  surface_m2: number;
  zonage: string;
  logements_potentiels: number;
  statut: string;
  longitude: number | null;
  latitude: number | null;
}

export const pct = (x: number | null, digits = 1) => (x === null ? '—' : `${(x * 100).toLocaleString('fr-FR', { maximumFractionDigits: digits, minimumFractionDigits: digits })} %`);
