// The bilan laid out once as sections of text, tables and charts; the HTML, DOCX and PDF renderers only draw them,
// so the three files always say the same thing.
import { AID_LABELS, CATEGORY_LABELS, LAND_STATUS_LABELS, ACTION_STATUS_LABELS, formatEuros, formatInt, formatPct } from '../model.ts';
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
  bars: { label: string; target: number; achieved: number }[];
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
  const per = periodText(b.period.start, b.period.end);

  sections.push({
    title: 'Présentation',
    paragraphs: [
      b.programme
        ? `Ce document présente le ${b.type === 'triennal' ? 'bilan triennal' : 'bilan annuel'} (${per}) du programme local de l’habitat « ${b.programme.name} » (${b.programme.startYear}–${b.programme.endYear}) de : ${b.territory}.`
        : `Aucun programme d’actions n’est encore enregistré pour : ${b.territory}. Le bilan ne présente que les aides, l’inventaire SRU et le foncier enregistrés.`,
      `Il a été produit le ${b.generatedAt} à partir des données enregistrées dans Habitat Commun ; la source et la date de chaque chiffre figurent en fin de document. Les réalisations cumulées comptent depuis le début de la période de chaque objectif jusqu’à ${b.period.end}.`,
    ],
  });

  if (b.totals.length)
    sections.push({
      title: 'Synthèse : objectifs et réalisations du territoire',
      paragraphs: [],
      table: {
        headers: ['Catégorie', 'Objectif', `Réalisé ${per}`, 'Réalisé cumulé', 'Taux de réalisation'],
        rows: b.totals.map((t) => [CATEGORY_LABELS[t.category], formatInt(t.target), formatInt(t.achievedInPeriod), formatInt(t.achieved), formatPct(t.target ? t.achieved / t.target : null)]),
        numeric: [1, 2, 3, 4],
      },
    });

  if (b.targets.length) {
    const categories = [...new Set(b.targets.map((o) => o.category))];
    const charts: Chart[] = categories.map((c) => {
      const byCommune = new Map<string, { target: number; achieved: number }>();
      for (const o of b.targets.filter((x) => x.category === c)) {
        const cur = byCommune.get(o.communeName) ?? { target: 0, achieved: 0 };
        byCommune.set(o.communeName, { target: cur.target + o.target, achieved: cur.achieved + o.achieved });
      }
      const bars = [...byCommune.entries()].map(([label, v]) => ({ label, ...v })).sort((x, y) => y.target - x.target).slice(0, MAX_BARS);
      return { title: `${CATEGORY_LABELS[c]} : objectif et réalisé cumulé par commune${byCommune.size > MAX_BARS ? ` (${MAX_BARS} premiers objectifs)` : ''}`, unit: 'logements', bars };
    });
    sections.push({
      title: 'Objectifs territorialisés par commune',
      paragraphs: ['Le taux de réalisation se lit au regard de l’avancement attendu : la part de la période de l’objectif écoulée à la fin du bilan.'],
      charts,
      map: b.map.some((c) => c.rate !== null),
      table: {
        headers: ['Commune', 'Catégorie', 'Période', 'Objectif', `Réalisé ${per}`, 'Réalisé cumulé', 'Taux', 'Avancement attendu'],
        rows: b.targets.map((o) => [
          `${o.communeName} (${o.communeCode})`,
          CATEGORY_LABELS[o.category],
          periodText(o.startYear, o.endYear),
          formatInt(o.target),
          formatInt(o.achievedInPeriod),
          formatInt(o.achieved),
          formatPct(o.achievementRate),
          formatPct(o.expectedProgress, 0),
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
          `${a.code}. ${a.title}`,
          a.orientation,
          a.lead,
          ACTION_STATUS_LABELS[a.status],
          formatEuros(a.plannedBudget),
          formatEuros(a.spentBudget),
          a.target === null ? '—' : formatInt(a.target),
          a.achieved === null ? '—' : formatInt(a.achieved),
          a.comment,
        ]),
        numeric: [4, 5, 6, 7],
      },
    });

  sections.push({
    title: 'Aides accordées par l’EPCI',
    paragraphs: b.aids.length ? [`Dossiers et opérations dont l’aide a été accordée en ${per}.`] : [`Aucune aide accordée n’est enregistrée pour ${per}.`],
    table: b.aids.length
      ? {
          headers: ['Aide', 'Dossiers', 'Montant accordé', 'Logements ou places'],
          rows: b.aids.map((a) => [AID_LABELS[a.type], formatInt(a.files), formatEuros(a.amountEuros), formatInt(a.dwellings)]),
          numeric: [1, 2, 3],
        }
      : undefined,
  });

  const sruPeriod = b.sru[0]?.period;
  sections.push({
    title: 'Communes soumises à l’article 55 de la loi SRU',
    paragraphs: b.sru.length
      ? [
          `Objectif triennal ${sruPeriod ? periodText(sruPeriod.start, sruPeriod.end) : ''} : part du déficit à rattraper, dont au moins 30 % de PLAI et au plus 30 % de PLS (CCH L302-8). Logements produits : logements sociaux financés enregistrés dans le registre des aides pendant la période triennale.`,
        ]
      : ['Aucun inventaire SRU n’est enregistré : les résidences principales et les logements sociaux décomptés de chaque commune sont à saisir ou importer.'],
    table: b.sru.length
      ? {
          headers: ['Commune', 'Inventaire', 'Résidences principales', 'Logements sociaux', 'Taux actuel', 'Taux légal', 'Déficit', 'Objectif triennal', 'PLAI min.', 'PLS max.', 'Produits (PLAI/PLUS/PLS)', 'Réalisation'],
          rows: b.sru.map((s) => [
            `${s.name} (${s.communeCode})`,
            `1er janv. ${s.inventoryYear}`,
            formatInt(s.mainResidences),
            formatInt(s.socialDwellings),
            formatPct(s.situation.currentRate, 2),
            formatPct(s.legalRate, 0),
            formatInt(s.situation.deficit),
            s.exempt ? 'exemptée' : formatInt(s.situation.triennialTarget),
            s.exempt ? '—' : s.situation.plaiMin.toFixed(1).replace('.', ','),
            s.exempt ? '—' : s.situation.plsMax.toFixed(1).replace('.', ','),
            `${formatInt(s.progress.produced)}`,
            formatPct(s.progress.achievementRate),
          ]),
          numeric: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        }
      : undefined,
  });

  if (b.land.length)
    sections.push({
      title: 'Observatoire du foncier',
      paragraphs: ['Gisements fonciers et friches recensés, par état d’avancement.'],
      table: {
        headers: ['État', 'Sites', 'Surface (m²)', 'Logements potentiels'],
        rows: b.land.map((f) => [LAND_STATUS_LABELS[f.status], formatInt(f.sites), formatInt(f.surfaceM2), formatInt(f.potentialDwellings)]),
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

export function projectMap(b: Bilan, width: number, height: number): { code: string; name: string; rate: number | null; rings: Ring[] }[] {
  const all = b.map.map((c) => ({ ...c, rings: ringsOf(c.geometry) }));
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
    name: c.name,
    rate: c.rate,
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
export const mapColor = (rate: number | null) => (rate === null ? MAP_NO_TARGET.color : MAP_CLASSES.find((c) => rate < c.max)!.color);
