// The bilan's content, composed from plain data with no I/O: what the HTML, DOCX and PDF renderers all show,
// so the three formats carry the same figures, each with its source and date.
import {
  AID_TYPES,
  CATEGORY_LABELS,
  LAND_STATUSES,
  mergeAchievements,
  sruProgress,
  sruSituation,
  targetStatus,
  triennialPeriod,
  type AchievementRow,
  type GrantedAid,
  type AidType,
  type Category,
  type LandStatus,
  type SruInventory,
  type SruProgress,
  type SruSituation,
  type TargetStatus,
} from '../model.ts';
import type { Action, Budget, ProgrammeData } from '../ingest/programme-sheet.ts';

export interface BilanInputs {
  year: number;
  triennial: boolean;
  generatedAt: Date;
  territory: string;
  programme: ProgrammeData | null;
  programmeUpdatedAt: Date | null;
  communes: { code: string; name: string }[];
  achievements: AchievementRow[];
  /** Achievements computed by other modules (dwellings authorised from Sitadel…). */
  platform?: AchievementRow[];
  aids: GrantedAid[];
  sru: (Pick<SruInventory, 'communeCode' | 'year' | 'population' | 'mainResidences' | 'socialDwellings' | 'legalRate' | 'exempt' | 'source'> & {
    name: string;
    updatedAt: Date;
  })[];
  land: { status: LandStatus; nature: string; potentialDwellings: number; surfaceM2: number }[];
  contours?: { code: string; geometry: unknown }[];
  /** The contours' source and vintage, as the territory module recorded them. */
  contourSource?: { source: string; vintage: number };
}

interface CommuneTarget extends TargetStatus {
  communeName: string;
  /** Achieved within the bilan's own period (the year, or the three years). */
  achievedInPeriod: number;
}

interface ActionLine {
  code: string;
  title: string;
  orientation: string;
  lead: string;
  status: Action['status'];
  comment: string;
  plannedBudget: number;
  spentBudget: number;
  indicator: Category | null;
  target: number | null;
  achieved: number | null;
}

interface SruLine {
  communeCode: string;
  name: string;
  inventoryYear: number;
  mainResidences: number;
  socialDwellings: number;
  legalRate: number;
  exempt: boolean;
  situation: SruSituation;
  period: { start: number; end: number };
  progress: SruProgress;
  source: string;
  updatedAt: Date;
}

interface SourceNote {
  figure: string;
  source: string;
  date: string;
}

export interface Bilan {
  title: string;
  type: 'annuel' | 'triennal';
  year: number;
  period: { start: number; end: number };
  generatedAt: string;
  territory: string;
  programme: { name: string; startYear: number; endYear: number } | null;
  targets: CommuneTarget[];
  /** Per category, the whole territory: sum of targets and of achievements. */
  totals: { category: Category; target: number; achieved: number; achievedInPeriod: number }[];
  actions: ActionLine[];
  aids: { type: AidType; files: number; amountEuros: number; dwellings: number }[];
  sru: SruLine[];
  land: { status: LandStatus; sites: number; potentialDwellings: number; surfaceM2: number }[];
  map: { code: string; name: string; rate: number | null; geometry: unknown }[];
  sources: SourceNote[];
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export function composeBilan(i: BilanInputs): Bilan {
  const period = i.triennial ? { start: i.year - 2, end: i.year } : { start: i.year, end: i.year };
  const names = new Map(i.communes.map((c) => [c.code, c.name]));
  const achievements = mergeAchievements(i.achievements, i.aids, i.platform ?? []);
  const inPeriod = (y: number) => y >= period.start && y <= period.end;
  const p = i.programme;

  const targets: CommuneTarget[] = (p?.targets ?? [])
    // A target whose period has not started by the end of the bilan's period has nothing to report yet.
    .filter((o) => o.startYear <= period.end)
    .map((o) => {
      const t = targetStatus(o, achievements, period.end);
      const achievedInPeriod = achievements
        .filter((r) => r.communeCode === o.communeCode && r.category === o.category && inPeriod(r.year) && r.year >= o.startYear && r.year <= o.endYear)
        .reduce((s, r) => s + r.value, 0);
      return { ...t, communeName: names.get(o.communeCode) ?? o.communeCode, achievedInPeriod };
    })
    .sort((a, b) => a.communeName.localeCompare(b.communeName, 'fr') || a.category.localeCompare(b.category) || a.startYear - b.startYear);

  const totals = [...new Set(targets.map((o) => o.category))].map((category) => {
    const rows = targets.filter((o) => o.category === category);
    return {
      category,
      target: rows.reduce((s, r) => s + r.target, 0),
      achieved: rows.reduce((s, r) => s + r.achieved, 0),
      achievedInPeriod: rows.reduce((s, r) => s + r.achievedInPeriod, 0),
    };
  });

  const orientationTitle = new Map((p?.orientations ?? []).map((o) => [o.code, o.title]));
  const budgetsOf = (code: string) => (p?.budgets ?? []).filter((b: Budget) => b.actionCode === code && inPeriod(b.year));
  const actions: ActionLine[] = (p?.actions ?? []).map((a) => {
    const linked = targets.filter((o) => o.actionCode === a.code || (a.indicatorCategory && o.category === a.indicatorCategory && !o.actionCode));
    const budgets = budgetsOf(a.code);
    return {
      code: a.code,
      title: a.title,
      orientation: orientationTitle.get(a.orientationCode) || a.orientationCode,
      lead: a.lead,
      status: a.status,
      comment: a.comment,
      plannedBudget: budgets.reduce((s, b) => s + b.plannedEuros, 0),
      spentBudget: budgets.reduce((s, b) => s + b.spentEuros, 0),
      indicator: a.indicatorCategory,
      target: linked.length ? linked.reduce((s, o) => s + o.target, 0) : null,
      achieved: linked.length ? linked.reduce((s, o) => s + o.achieved, 0) : null,
    };
  });

  const aidsInPeriod = i.aids.filter((a) => inPeriod(a.year));
  const aids = AID_TYPES.map((type) => {
    const rows = aidsInPeriod.filter((a) => a.type === type);
    return {
      type,
      files: rows.length,
      amountEuros: rows.reduce((s, a) => s + a.amountEuros, 0),
      dwellings: rows.reduce((s, a) => s + (a.type === 'logement_social' ? a.plaiCount + a.plusCount + a.plsCount || a.dwellingsCount : a.dwellingsCount), 0),
    };
  }).filter((a) => a.files > 0);

  const sruPeriod = triennialPeriod(i.year);
  const taux = p?.sruCatchUpRate;
  const sru: SruLine[] = i.sru.map((s) => {
    const situation = sruSituation({ mainResidences: s.mainResidences, socialDwellings: s.socialDwellings, legalRate: s.legalRate, catchUpRate: taux });
    const produced = i.aids.filter((a) => a.type === 'logement_social' && a.communeCode === s.communeCode && a.year >= sruPeriod.start && a.year <= sruPeriod.end);
    const progression = sruProgress(s.exempt ? 0 : situation.triennialTarget, {
      plai: produced.reduce((x, a) => x + a.plaiCount, 0),
      plus: produced.reduce((x, a) => x + a.plusCount, 0),
      pls: produced.reduce((x, a) => x + a.plsCount, 0),
    });
    return {
      communeCode: s.communeCode,
      name: s.name,
      inventoryYear: s.year,
      mainResidences: s.mainResidences,
      socialDwellings: s.socialDwellings,
      legalRate: s.legalRate,
      exempt: s.exempt,
      situation,
      period: sruPeriod,
      progress: progression,
      source: s.source,
      updatedAt: s.updatedAt,
    };
  });

  const land = LAND_STATUSES.map((status) => {
    const rows = i.land.filter((f) => f.status === status);
    return { status, sites: rows.length, potentialDwellings: rows.reduce((s, f) => s + f.potentialDwellings, 0), surfaceM2: rows.reduce((s, f) => s + f.surfaceM2, 0) };
  }).filter((f) => f.sites > 0);

  // The map shades each commune by the achievement rate of its housing targets (all categories together).
  const rateOf = (code: string) => {
    const rows = targets.filter((o) => o.communeCode === code);
    const obj = rows.reduce((s, r) => s + r.target, 0);
    return obj > 0 ? rows.reduce((s, r) => s + r.achieved, 0) / obj : null;
  };
  const map = (i.contours ?? []).map((c) => ({ code: c.code, name: names.get(c.code) ?? c.code, rate: rateOf(c.code), geometry: c.geometry }));

  const sources: SourceNote[] = [];
  const generated = isoDay(i.generatedAt);
  if (p) sources.push({ figure: 'Programme d’actions, objectifs et budgets', source: `PLH « ${p.name} » (${p.startYear}–${p.endYear}), saisi ou importé dans Habitat Commun`, date: i.programmeUpdatedAt ? isoDay(i.programmeUpdatedAt) : generated });
  const figures = [...i.achievements, ...(i.platform ?? [])].filter((r) => r.year <= period.end);
  const entered = [...new Set(figures.map((r) => r.source))].sort();
  for (const s of entered) {
    const rows = figures.filter((r) => r.source === s);
    sources.push({ figure: `Réalisations : ${[...new Set(rows.map((r) => CATEGORY_LABELS[r.category]))].join(', ')}`, source: s, date: `années ${Math.min(...rows.map((r) => r.year))}–${Math.max(...rows.map((r) => r.year))}` });
  }
  if (i.aids.length) sources.push({ figure: 'Aides accordées, logements sociaux financés (dont PLAI, PLUS, PLS)', source: 'Registre des aides accordées par l’EPCI (Habitat Commun)', date: `état au ${generated}` });
  for (const s of [...new Set(i.sru.map((x) => `${x.source}|${x.year}`))].sort()) {
    const [source, annee] = s.split('|');
    sources.push({ figure: 'Inventaire SRU (résidences principales, logements sociaux décomptés)', source, date: `inventaire au 1er janvier ${annee}` });
  }
  if (i.sru.length)
    sources.push({
      figure: 'Déficit et objectif triennal SRU',
      source: `Calcul Habitat Commun : CCH L302-5 (taux légal), L302-8 (PLAI ≥ 30 %, PLS ≤ 30 %), rattrapage de ${Math.round((taux ?? 0.33) * 100)} % du déficit par période triennale (loi 3DS)`,
      date: generated,
    });
  if (i.land.length) sources.push({ figure: 'Gisements fonciers et friches', source: 'Observatoire du foncier de l’EPCI (Habitat Commun)', date: `état au ${generated}` });
  if (map.length && i.contourSource) sources.push({ figure: 'Contours des communes (carte)', source: i.contourSource.source, date: `millésime ${i.contourSource.vintage}` });

  const title = i.triennial
    ? `Bilan triennal ${period.start}–${period.end} du programme local de l’habitat`
    : `Bilan annuel ${i.year} du programme local de l’habitat`;
  return {
    title,
    type: i.triennial ? 'triennal' : 'annuel',
    year: i.year,
    period,
    generatedAt: generated,
    territory: i.territory,
    programme: p ? { name: p.name, startYear: p.startYear, endYear: p.endYear } : null,
    targets,
    totals,
    actions,
    aids,
    sru,
    land,
    map,
    sources,
  };
}

