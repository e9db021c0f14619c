// Shapes of the portal API's answers (src/modules/market/portal-routes.ts).
export type Cell = string | number | boolean | null;

export interface DataTable {
  nom: string;
  meta: {
    titre: string;
    periode: string;
    methode: string;
    source: string;
    donnees_jusqu_au: string | null;
    importe_le: string | null;
    seuil_secret: number;
    secret_statistique: string;
  };
  colonnes: { cle: string; libelle: string; unite?: string }[];
  lignes: Record<string, Cell>[];
}

export interface PriceClass {
  min: number;
  max: number | null;
  color: string;
  label: string;
}

export interface MapAnswer {
  annees: number[];
  annee: number | null;
  type: PortalType;
  fenetre: Window;
  periode: string;
  epcis: { siren: string; nom: string }[];
  classes: PriceClass[];
  tableau: DataTable;
}

export type CommuneTableName = 'serie_annuelle' | 'serie_mensuelle' | 'distribution' | 'volumes' | 'terrains' | 'comparaison' | 'sections' | 'ventes';

export interface CommuneAnswer {
  commune: {
    code: string;
    nom: string;
    departement_code: string | null;
    departement_nom: string | null;
    epci_siren: string | null;
    epci_nom: string | null;
    codes_postaux: string[];
  };
  annees: number[];
  annee: number | null;
  type: PortalType;
  fenetre: Window;
  periode: string;
  tableaux: Record<CommuneTableName, DataTable>;
}

export type PortalType = 'maison' | 'appartement' | 'maison_appartement';
export type Window = 'annee' | '5ans';

export const TYPE_OPTIONS: { value: PortalType; label: string }[] = [
  { value: 'maison_appartement', label: 'Maisons et appartements' },
  { value: 'appartement', label: 'Appartements' },
  { value: 'maison', label: 'Maisons' },
];

export const TYPE_LABEL: Record<string, string> = {
  maison: 'maisons',
  appartement: 'appartements',
  maison_appartement: 'maisons et appartements',
};

/** « 12 mars 2024 » from an ISO date. */
export function frenchDate(iso: string | null): string {
  if (!iso) return 'date inconnue';
  const d = new Date(iso.slice(0, 10) + 'T12:00:00Z');
  return d.toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}
