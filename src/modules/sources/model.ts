// The catalogue of the sources the platform knows, and the pure rules of the connectors: options, defaults, rhythm.
// No I/O. docs/sources.md explains each source; keep the two in step.
import { AppError } from '../../platform/errors.ts';

type Channel = 'connector' | 'transmitted_file';
export type ConnectorId = 'dvf' | 'sitadel' | 'rpls' | 'dpe' | 'insee' | 'cog';
type SourceId = ConnectorId | 'lovac' | 'dv3f' | 'sne';

export interface SourceDef {
  id: SourceId;
  name: string;
  publisher: string;
  licence: string;
  /** The URL layout, with its placeholders ({annee}, {departement}…), or how the file arrives. */
  url: string;
  /** The publisher's rhythm, in plain words. */
  frequency: string;
  channel: Channel;
  /** How often the schedule checks the publisher (conditional requests make a check cheap), in days. */
  checkEveryDays?: number;
  /** What the platform does with it. */
  usage: string;
  /** The command that loads it. */
  command: string;
}

/** SDES DiDo datafile « Liste des autorisations d’urbanisme créant des logements » (Sitadel, logements). */
export const SITADEL_LOGEMENTS_RID = '8b35affb-55fc-4c1f-915b-7750f974446a';
export const INSEE_COMPARATEUR_PATH = '/fr/statistiques/fichier/2521169/base_cc_comparateur_csv.zip';
export const DPE_DATASETS = ['dpe03existant', 'dpe02neuf'] as const;
export const COG_PACKAGE = '@etalab/decoupage-administratif';
export const COG_FILES = ['regions.json', 'departements.json', 'epci.json', 'communes.json'] as const;

export const SOURCES: SourceDef[] = [
  {
    id: 'dvf',
    name: 'Demandes de valeurs foncières géolocalisées (DVF)',
    publisher: 'DGFiP, republié géolocalisé par Etalab',
    licence: 'Conditions générales d’utilisation DVF de la DGFiP (pas de réidentification des personnes, pas d’indexation)',
    url: 'https://files.data.gouv.fr/geo-dvf/latest/csv/{annee}/departements/{departement}.csv.gz',
    frequency: 'deux fois par an (avril et octobre), cinq années glissantes',
    channel: 'connector',
    checkEveryDays: 7,
    usage: 'Lac DVF (une partition par département et année), prix publiés sur /prix',
    command: 'habitat fetch dvf',
  },
  {
    id: 'sitadel',
    name: 'Sitadel — autorisations d’urbanisme créant des logements',
    publisher: 'SDES (ministère chargé du logement)',
    licence: 'Licence Ouverte / Etalab 2.0',
    url: `https://data.statistiques.developpement-durable.gouv.fr/dido/api/v1/datafiles/${SITADEL_LOGEMENTS_RID}/csv?withColumnName=true&withColumnDescription=false&DEP_CODE=eq:{departement}`,
    frequency: 'mensuel (fin de mois)',
    channel: 'connector',
    checkEveryDays: 7,
    usage: 'Logements autorisés, commencés et achevés par commune ; suivi des programmes et des objectifs du PLH',
    command: 'habitat fetch sitadel',
  },
  {
    id: 'rpls',
    name: 'RPLS — parc locatif social par commune',
    publisher: 'SDES (ministère chargé du logement)',
    licence: 'Licence Ouverte / Etalab 2.0',
    url: 'HABITAT_SOURCE_RPLS_URL, modèle avec {millesime} (agrégat commune × année de construction × DPE × pièces × type × QPV)',
    frequency: 'annuel (parc au 1er janvier, publié en fin d’année)',
    channel: 'connector',
    checkEveryDays: 30,
    usage: 'Parc social et exposition à l’interdiction de louer sur /parc-social',
    command: 'habitat fetch rpls',
  },
  {
    id: 'dpe',
    name: 'DPE des logements (existants et neufs)',
    publisher: 'ADEME',
    licence: 'Licence Ouverte / Etalab 2.0',
    url: 'https://data.ademe.fr/data-fair/api/v1/datasets/{dpe03existant|dpe02neuf}/lines?size=10000&qs=code_insee_ban:"{commune}" (pages suivies par le lien « next »)',
    frequency: 'en continu (chaque jour)',
    channel: 'connector',
    checkEveryDays: 7,
    usage: 'Classes énergétiques par commune, rattachement aux bâtiments des bailleurs',
    command: 'habitat fetch dpe',
  },
  {
    id: 'insee',
    name: 'Comparateur de territoires',
    publisher: 'Insee',
    licence: 'Licence Ouverte / Etalab 2.0 (« Source : Insee »)',
    url: `https://www.insee.fr${INSEE_COMPARATEUR_PATH} (base_cc_comparateur.csv)`,
    frequency: 'annuel (été)',
    channel: 'connector',
    checkEveryDays: 30,
    usage: 'Population, logements, vacance, revenus par commune (observatoire, portrait de commune)',
    command: 'habitat fetch insee',
  },
  {
    id: 'cog',
    name: 'Code officiel géographique (communes, EPCI, départements)',
    publisher: 'Insee, mis en forme par Etalab (@etalab/decoupage-administratif)',
    licence: 'Licence Ouverte / Etalab 2.0',
    url: `https://registry.npmjs.org/${COG_PACKAGE}/latest puis https://unpkg.com/${COG_PACKAGE}@{version}/data/{communes,epci,departements,regions}.json`,
    frequency: 'annuel (1er janvier), corrections en cours d’année',
    channel: 'connector',
    checkEveryDays: 30,
    usage: 'Référentiel des communes et EPCI de toutes les autres sources',
    command: 'habitat fetch cog',
  },
  {
    id: 'lovac',
    name: 'LOVAC — logements vacants du parc privé',
    publisher: 'DGALN, d’après les fichiers fonciers (Cerema)',
    licence: 'Diffusion restreinte : convention avec la DGALN (acte d’engagement)',
    url: 'fichier transmis à l’EPCI sous convention',
    frequency: 'annuel',
    channel: 'transmitted_file',
    usage: 'Vacance du parc privé (pas encore d’import dans la plateforme)',
    command: '—',
  },
  {
    id: 'dv3f',
    name: 'DV3F — DVF enrichi des fichiers fonciers',
    publisher: 'Cerema',
    licence: 'Diffusion restreinte : acte d’engagement auprès du Cerema',
    url: 'fichier transmis à l’EPCI sous convention',
    frequency: 'annuel',
    channel: 'transmitted_file',
    usage: 'Marché foncier détaillé (pas encore d’import dans la plateforme)',
    command: '—',
  },
  {
    id: 'sne',
    name: 'SNE — demandes de logement social',
    publisher: 'Système national d’enregistrement (DHUP)',
    licence: 'Diffusion restreinte : extraction transmise aux EPCI dotés d’un PLH',
    url: 'extraction transmise à l’EPCI',
    frequency: 'à chaque extraction',
    channel: 'transmitted_file',
    usage: 'Demandes et cotation (/demandes)',
    command: 'import par la page /demandes',
  },
];

export const CONNECTORS = SOURCES.filter((s) => s.channel === 'connector').map((s) => s.id as ConnectorId);

export function findSource(id: string): SourceDef | undefined {
  return SOURCES.find((s) => s.id === id);
}

export interface FetchOptions {
  departements?: string[];
  years?: number[];
}

const DEPARTEMENT = /^(?:0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$/;

/** `--departements 69,31` → ['69', '31'], in French when a code is not a département. */
export function parseDepartements(text: string): string[] {
  const codes = text
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean)
    .map((c) => (/^\d$/.test(c) ? `0${c}` : c));
  const bad = codes.filter((c) => !DEPARTEMENT.test(c));
  if (!codes.length || bad.length)
    throw new AppError('sources.departements', `Département inconnu : ${bad.join(', ') || text}. Écrivez des codes séparés par des virgules, ex. 69,31 ou 2A.`);
  return [...new Set(codes)];
}

/** `--annees 2021-2025` or `2021,2023` → the years, in French when the text is not years. */
export function parseYears(text: string, now = new Date()): number[] {
  const max = now.getUTCFullYear() + 1;
  const years = new Set<number>();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d{4})(?:\s*-\s*(\d{4}))?$/.exec(part);
    if (!m) throw new AppError('sources.years', `Années illisibles : « ${part} ». Écrivez par exemple 2021-2025 ou 2021,2023.`);
    const from = Number(m[1]);
    const to = Number(m[2] ?? m[1]);
    if (from > to || from < 2000 || to > max) throw new AppError('sources.years', `Années hors limites : « ${part} » (de 2000 à ${max}).`);
    for (let y = from; y <= to; y++) years.add(y);
  }
  if (!years.size) throw new AppError('sources.years', 'Aucune année donnée.');
  return [...years].sort((a, b) => a - b);
}

/** The départements of the instance's communes: what is fetched when no --departements is given. */
export function departementsOf(communes: { departement_code: string | null }[]): string[] {
  return [...new Set(communes.map((c) => c.departement_code).filter((d): d is string => !!d))].sort();
}

/** geo-DVF holds five full years, the newest being last year: the default years. */
export function defaultDvfYears(now: Date): number[] {
  const last = now.getUTCFullYear() - 1;
  return [last - 4, last - 3, last - 2, last - 1, last];
}

/** Départements without DVF: Alsace-Moselle's livre foncier, and Mayotte. */
export const NO_DVF = new Set(['57', '67', '68', '976']);

/** Whether a source is due for a check, given its last run's start. */
export function isDue(def: SourceDef, lastStarted: Date | null, now: Date): boolean {
  if (!def.checkEveryDays) return false;
  if (!lastStarted) return true;
  return now.getTime() - lastStarted.getTime() >= def.checkEveryDays * 86_400_000 - 60_000;
}

/** An edition named after a date: `YYYY-MM` of the publisher's Last-Modified (or of the run). */
export const monthOf = (d: Date) => d.toISOString().slice(0, 7);
