// The « fiche commune » (or EPCI): the portrait on one or two pages for an élu, drawn by the PLH bilan's renderers
// (PDF and DOCX): key figures with their period and source, two charts with their data, the sources. The layout is
// pure (sheetSections); the rendering is the bilan's.
import { sectionsDocx, sectionsPdf, type ReportChart, type ReportSection } from '../plh/index.ts';
import type { Figure, PortraitAnswer, Series } from './contract.ts';

export type SheetFormat = 'pdf' | 'docx';
export const SHEET_MEDIA: Record<SheetFormat, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

const REASON: Record<string, string> = { not_loaded: 'source non chargée', secrecy: 'secret statistique', not_applicable: 'sans objet' };
const fmt = (x: number) => x.toLocaleString('fr-FR', { maximumFractionDigits: 1 });

export function figureText(f: Figure): string {
  return f.status === 'ok' ? `${fmt(f.value)} ${f.unit}` : `pas de donnée (${REASON[f.reason]})`;
}

/** A series as a bar chart of the bilan's kind (one or two bars per period), or nothing when it has no point. */
function chartOf(title: string, a: Series | undefined, b?: Series): ReportChart | null {
  // A section may lack a series (a source not loaded for this place): the sheet then has one chart less.
  if (!a || a.status !== 'ok' || !a.points.some((p) => p.value !== null)) return null;
  const other = b?.status === 'ok' ? new Map(b.points.map((p) => [p.period, p.value ?? 0])) : null;
  return {
    title,
    unit: a.unit,
    labelHeader: 'Période',
    legend: other ? [a.label.replace(/ par année$/, ''), b!.label.replace(/ par année$/, '')] : ['', a.label],
    // The last six periods: two charts and the key figures then hold on two pages.
    bars: a.points.slice(-6).map((p) => ({ label: p.withheld ? `${p.period} (secret)` : p.period, target: other ? (p.value ?? 0) : 0, achieved: other ? (other.get(p.period) ?? 0) : (p.value ?? 0) })),
  };
}

export function sheetSections(p: PortraitAnswer, today: string): ReportSection[] {
  const series = (key: string) => p.sections.flatMap((s) => s.series).find((s) => s.key === key);
  const charts = [
    chartOf('Logements autorisés et commencés par année', series('authorised_dwellings'), series('started_dwellings')),
    chartOf('Prix médian au m² des appartements et des maisons, par année', series('price_m2_apartment'), series('price_m2_house')),
    chartOf('Logements sociaux interdits à la location, par échéance', series('rental_ban')),
  ].filter((c): c is ReportChart => c !== null);
  const figures = p.sections.flatMap((s) => s.figures.map((f) => ({ s, f })));
  const present = figures.filter(({ f }) => f.status === 'ok');
  const missing = figures.filter(({ f }) => f.status !== 'ok');
  const sources = [...new Map(figures.map(({ f }) => [`${f.source}|${f.edition ?? ''}`, f])).values()];
  const out: ReportSection[] = [
    {
      title: 'Présentation',
      paragraphs: [
        `${p.level === 'commune' ? 'Commune' : 'EPCI'} : ${p.name} (${p.code})${p.epci ? `, ${p.epci.name}` : ''}${p.level === 'epci' ? `, ${p.communes.length} communes` : ''}. Fiche produite le ${today} par Habitat Commun.`,
        'Chaque chiffre indique sa période et sa source ; un chiffre absent dit pourquoi (source non chargée, secret statistique, sans objet).',
        ...(p.demo ? ['Données de démonstration : extrait partiel.'] : []),
      ],
    },
    {
      title: 'Chiffres clés',
      // The figures there are; those missing are named below with their reason, so the sheet stays on two pages.
      paragraphs: missing.length ? [`Pas de donnée : ${missing.map(({ f }) => `${f.label.charAt(0).toLowerCase()}${f.label.slice(1)} (${REASON[(f as { reason: string }).reason]})`).join(' ; ')}.`] : [],
      table: { headers: ['Thème', 'Indicateur', 'Valeur', 'Période'], rows: present.map(({ s, f }) => [s.title, f.label, figureText(f), f.period ?? '']), numeric: [2] },
    },
    ...charts.slice(0, 2).map((c) => ({ title: c.title, paragraphs: [], charts: [c] })),
  ];
  if (p.comparables.status === 'ok')
    out.push({ title: 'Communes comparables', paragraphs: [p.comparables.communes.map((c) => `${c.name} (${c.code})`).join(', ') + '.', p.comparables.method] });
  out.push({
    title: 'Sources',
    paragraphs: [],
    table: { headers: ['Source', 'Édition', 'Date'], rows: sources.map((f) => [f.source, f.edition ?? '', f.edition_date ?? '']), numeric: [] },
  });
  return out;
}

export function renderSheet(p: PortraitAnswer, format: SheetFormat, today = new Date().toISOString().slice(0, 10)): Promise<Buffer> {
  const title = `Fiche ${p.level === 'commune' ? 'commune' : 'EPCI'} — ${p.name}`;
  const sections = sheetSections(p, today);
  return format === 'pdf' ? sectionsPdf({ title, subject: p.name, subtitle: `Portrait de l’habitat, ${today}` }, sections) : sectionsDocx({ title, subtitle: `Portrait de l’habitat, ${today}` }, sections);
}

export const sheetFileName = (p: PortraitAnswer, format: SheetFormat) => `fiche-${p.level}-${p.code}.${format}`;
