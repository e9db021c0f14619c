// The bilan laid out once as sections of text, tables and charts; the HTML, DOCX and PDF renderers only draw them,
// so the three files always say the same thing.
import { AIDE_LABELS, CATEGORIE_LABELS, FONCIER_STATUT_LABELS, STATUT_LABELS, formatEuros, formatInt, formatPct } from '../model.ts';
import type { Bilan } from './bilan-model.ts';

export interface Table {
  headers: string[];
  rows: string[][];
  /** Columns holding figures, right-aligned. */
  numeric: number[];
}
export interface Chart {
  title: string;
  unit: string;
  bars: { label: string; objectif: number; realise: number }[];
  /** Names of the light and the dark bar (default: objectif, réalisé cumulé); the first column's header. */
  legend?: [string, string];
  labelHeader?: string;
}
export interface Section {
  title: string;
  paragraphs: string[];
  table?: Table;
  charts?: Chart[];
  map?: boolean;
}

const periodText = (d: number, f: number) => (d === f ? String(d) : `${d}–${f}`);
const MAX_BARS = 30;

export function bilanSections(b: Bilan): Section[] {
  const sections: Section[] = [];
  const per = periodText(b.periode.debut, b.periode.fin);

  sections.push({
    title: 'Présentation',
    paragraphs: [
      b.programme
        ? `Ce document présente le ${b.type === 'triennal' ? 'bilan triennal' : 'bilan annuel'} (${per}) du programme local de l’habitat « ${b.programme.nom} » (${b.programme.anneeDebut}–${b.programme.anneeFin}) de : ${b.territoire}.`
        : `Aucun programme d’actions n’est encore enregistré pour : ${b.territoire}. Le bilan ne présente que les aides, l’inventaire SRU et le foncier enregistrés.`,
      `Il a été produit le ${b.genereLe} à partir des données enregistrées dans Habitat Commun ; la source et la date de chaque chiffre figurent en fin de document. Les réalisations cumulées comptent depuis le début de la période de chaque objectif jusqu’à ${b.periode.fin}.`,
    ],
  });

  if (b.totaux.length)
    sections.push({
      title: 'Synthèse : objectifs et réalisations du territoire',
      paragraphs: [],
      table: {
        headers: ['Catégorie', 'Objectif', `Réalisé ${per}`, 'Réalisé cumulé', 'Taux de réalisation'],
        rows: b.totaux.map((t) => [CATEGORIE_LABELS[t.categorie], formatInt(t.objectif), formatInt(t.realisePeriode), formatInt(t.realise), formatPct(t.objectif ? t.realise / t.objectif : null)]),
        numeric: [1, 2, 3, 4],
      },
    });

  if (b.objectifs.length) {
    const categories = [...new Set(b.objectifs.map((o) => o.categorie))];
    const charts: Chart[] = categories.map((c) => {
      const byCommune = new Map<string, { objectif: number; realise: number }>();
      for (const o of b.objectifs.filter((x) => x.categorie === c)) {
        const cur = byCommune.get(o.communeNom) ?? { objectif: 0, realise: 0 };
        byCommune.set(o.communeNom, { objectif: cur.objectif + o.objectif, realise: cur.realise + o.realise });
      }
      const bars = [...byCommune.entries()].map(([label, v]) => ({ label, ...v })).sort((x, y) => y.objectif - x.objectif).slice(0, MAX_BARS);
      return { title: `${CATEGORIE_LABELS[c]} : objectif et réalisé cumulé par commune${byCommune.size > MAX_BARS ? ` (${MAX_BARS} premiers objectifs)` : ''}`, unit: 'logements', bars };
    });
    sections.push({
      title: 'Objectifs territorialisés par commune',
      paragraphs: ['Le taux de réalisation se lit au regard de l’avancement attendu : la part de la période de l’objectif écoulée à la fin du bilan.'],
      charts,
      map: b.carte.some((c) => c.taux !== null),
      table: {
        headers: ['Commune', 'Catégorie', 'Période', 'Objectif', `Réalisé ${per}`, 'Réalisé cumulé', 'Taux', 'Avancement attendu'],
        rows: b.objectifs.map((o) => [
          `${o.communeNom} (${o.communeCode})`,
          CATEGORIE_LABELS[o.categorie],
          periodText(o.anneeDebut, o.anneeFin),
          formatInt(o.objectif),
          formatInt(o.realisePeriode),
          formatInt(o.realise),
          formatPct(o.tauxRealisation),
          formatPct(o.avancementAttendu, 0),
        ]),
        numeric: [3, 4, 5, 6, 7],
      },
    });
  }

  if (b.actions.length)
    sections.push({
      title: 'Programme d’actions',
      paragraphs: [`Budgets de la période ${per} ; l’indicateur rapproche, quand l’action en a un, les objectifs et réalisations des communes.`],
      table: {
        headers: ['Action', 'Orientation', 'Pilote', 'Statut', 'Budget prévu', 'Budget dépensé', 'Objectif', 'Réalisé', 'Commentaire'],
        rows: b.actions.map((a) => [
          `${a.code}. ${a.titre}`,
          a.orientation,
          a.pilote,
          STATUT_LABELS[a.statut],
          formatEuros(a.budgetPrevu),
          formatEuros(a.budgetDepense),
          a.objectif === null ? '—' : formatInt(a.objectif),
          a.realise === null ? '—' : formatInt(a.realise),
          a.commentaire,
        ]),
        numeric: [4, 5, 6, 7],
      },
    });

  sections.push({
    title: 'Aides accordées par l’EPCI',
    paragraphs: b.aides.length ? [`Dossiers et opérations dont l’aide a été accordée en ${per}.`] : [`Aucune aide accordée n’est enregistrée pour ${per}.`],
    table: b.aides.length
      ? {
          headers: ['Aide', 'Dossiers', 'Montant accordé', 'Logements ou places'],
          rows: b.aides.map((a) => [AIDE_LABELS[a.type], formatInt(a.dossiers), formatEuros(a.montantEuros), formatInt(a.logements)]),
          numeric: [1, 2, 3],
        }
      : undefined,
  });

  const sruPeriod = b.sru[0]?.periode;
  sections.push({
    title: 'Communes soumises à l’article 55 de la loi SRU',
    paragraphs: b.sru.length
      ? [
          `Objectif triennal ${sruPeriod ? periodText(sruPeriod.debut, sruPeriod.fin) : ''} : part du déficit à rattraper, dont au moins 30 % de PLAI et au plus 30 % de PLS (CCH L302-8). Logements produits : logements sociaux financés enregistrés dans le registre des aides pendant la période triennale.`,
        ]
      : ['Aucun inventaire SRU n’est enregistré : les résidences principales et les logements sociaux décomptés de chaque commune sont à saisir ou importer.'],
    table: b.sru.length
      ? {
          headers: ['Commune', 'Inventaire', 'Résidences principales', 'Logements sociaux', 'Taux actuel', 'Taux légal', 'Déficit', 'Objectif triennal', 'PLAI min.', 'PLS max.', 'Produits (PLAI/PLUS/PLS)', 'Réalisation'],
          rows: b.sru.map((s) => [
            `${s.nom} (${s.communeCode})`,
            `1er janv. ${s.inventaireAnnee}`,
            formatInt(s.residencesPrincipales),
            formatInt(s.logementsSociaux),
            formatPct(s.situation.tauxActuel, 2),
            formatPct(s.tauxLegal, 0),
            formatInt(s.situation.deficit),
            s.exemptee ? 'exemptée' : formatInt(s.situation.objectifTriennal),
            s.exemptee ? '—' : s.situation.plaiMin.toFixed(1).replace('.', ','),
            s.exemptee ? '—' : s.situation.plsMax.toFixed(1).replace('.', ','),
            `${formatInt(s.progression.produits)}`,
            formatPct(s.progression.tauxRealisation),
          ]),
          numeric: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        }
      : undefined,
  });

  if (b.foncier.length)
    sections.push({
      title: 'Observatoire du foncier',
      paragraphs: ['Gisements fonciers et friches recensés, par état d’avancement.'],
      table: {
        headers: ['État', 'Sites', 'Surface (m²)', 'Logements potentiels'],
        rows: b.foncier.map((f) => [FONCIER_STATUT_LABELS[f.statut], formatInt(f.sites), formatInt(f.surfaceM2), formatInt(f.logementsPotentiels)]),
        numeric: [1, 2, 3],
      },
    });

  sections.push({
    title: 'Sources et dates des chiffres',
    paragraphs: [],
    table: { headers: ['Chiffres', 'Source', 'Date'], rows: b.sources.map((s) => [s.figure, s.source, s.date]), numeric: [] },
  });
  return sections;
}

// ---------------------------------------------------------------------------------------------------------------
// Map: an equirectangular projection (scaled by the cosine of the mean latitude), enough for an EPCI.

export type Ring = [number, number][];

function ringsOf(geometry: unknown): Ring[] {
  const g = geometry as { type?: string; coordinates?: unknown } | null | undefined;
  if (g?.type === 'Polygon') return g.coordinates as Ring[];
  if (g?.type === 'MultiPolygon') return (g.coordinates as Ring[][]).flat();
  return [];
}

export function projectMap(b: Bilan, width: number, height: number): { code: string; nom: string; taux: number | null; rings: Ring[] }[] {
  const all = b.carte.map((c) => ({ ...c, rings: ringsOf(c.geometry) }));
  const pts = all.flatMap((c) => c.rings.flat());
  if (!pts.length) return [];
  const lons = pts.map((p) => p[0]);
  const lats = pts.map((p) => p[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const scale = Math.min(width / ((maxX - minX) * k || 1), height / (maxY - minY || 1));
  const offX = (width - (maxX - minX) * k * scale) / 2;
  const offY = (height - (maxY - minY) * scale) / 2;
  return all.map((c) => ({
    code: c.code,
    nom: c.nom,
    taux: c.taux,
    rings: c.rings.map((r) => r.map(([x, y]) => [offX + (x - minX) * k * scale, offY + (maxY - y) * scale] as [number, number])),
  }));
}

/** Classes of achievement rate for the map, from red (late) to green (done); grey when the commune has no target. */
export const MAP_CLASSES = [
  { max: 0.25, color: '#d7301f', label: 'moins de 25 %' },
  { max: 0.5, color: '#fc8d59', label: '25 à 50 %' },
  { max: 0.75, color: '#fdcc8a', label: '50 à 75 %' },
  { max: 1, color: '#a6d96a', label: '75 à 100 %' },
  { max: Infinity, color: '#1a9641', label: '100 % et plus' },
];
export const MAP_NO_TARGET = { color: '#e0e0e0', label: 'sans objectif' };
export const mapColor = (taux: number | null) => (taux === null ? MAP_NO_TARGET.color : MAP_CLASSES.find((c) => taux < c.max)!.color);
