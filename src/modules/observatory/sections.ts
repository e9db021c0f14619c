// The six sections of the portrait, one function each, in the order. Each reads its module through that
// module's index.ts and writes figures with figures.ts; an EPCI is aggregated from its communes' raw counts (sums,
// then rates of the sums), never from their rates or medians.
import type { AppContext } from '../../platform/context.ts';
import { SECONDARY_REASON, type Status } from '../../platform/secrecy.ts';
import { constructionCountsPerYear, targetAchievements, targetProgress } from '../construction/index.ts';
import { attributedWaiting, demandStatistics } from '../demand/index.ts';
import { marketFigures, readDvfManifest } from '../market/index.ts';
import { publicSruLines } from '../plh/index.ts';
import { communeEnergy, epciEnergy, rplsEnergy } from '../stock/index.ts';
import { instanceCommunes } from '../territory/index.ts';
import type { Figure, PortraitSection, Series } from './contract.ts';
import { dayOf, figureOf, indicatorHead, missingFigure, NOT_LOADED, secrecyMessage, seriesOf, valueFigure, type Provenance } from './figures.ts';
import { SOURCE_INSEE, SOURCE_PLH, SOURCE_SITADEL, SOURCE_SNE, SOURCE_SRU } from './indicators.ts';
import { change, type LevelSecrecy, percent, protectLevels, sumFigures } from './model.ts';
import { figuresOf, listEditions } from './store.ts';

/** The place a portrait is about: a commune (its own code) or an EPCI (its member communes). */
export interface PortraitPlace {
  level: 'commune' | 'epci';
  code: string;
  name: string;
  /** Member communes (a commune: itself), without arrondissements. */
  communes: string[];
}

type Section = PortraitSection;

/**
 * The market's figures, one service per context: its answer cache (emptied on a new DVF edition) then serves the
 * portraits and the comparisons alike, instead of a fresh cache per request.
 */
const markets = new WeakMap<AppContext, ReturnType<typeof marketFigures>>();
export function marketOf(ctx: AppContext): ReturnType<typeof marketFigures> {
  let m = markets.get(ctx);
  if (!m) markets.set(ctx, (m = marketFigures({ db: ctx.db, lake: ctx.lake, secrecyMinCount: ctx.config.secrecyMinCount })));
  return m;
}
const na = (message: string) => ({ reason: 'not_applicable' as const, message });
const notLoaded = (message = NOT_LOADED) => ({ reason: 'not_loaded' as const, message });

// ---------- 1. population and households (INSEE) ----------

const INSEE_COUNTS = ['P22_POP', 'P16_POP', 'P22_MEN', 'P22_RP', 'P22_LOG', 'P22_LOGVAC', 'P22_RP_PROP'] as const;

export async function populationSection(ctx: AppContext, place: PortraitPlace): Promise<Section> {
  const editions = await listEditions(ctx.db);
  const latest = editions[0];
  const prov: Provenance = { source: SOURCE_INSEE, edition: latest?.edition ?? null, edition_date: dayOf(latest?.published_at ?? latest?.imported_at) };
  const base = { key: 'population' as const, title: 'Population et ménages', module_path: '/sources', series: [] as Series[] };
  const keys = ['population', 'population_change', 'households', 'main_residences', 'vacancy_rate', 'owners_share', 'median_income', 'poverty_rate'];
  if (!latest) return { ...base, method: null, figures: keys.map((k) => missingFigure(indicatorHead(k), prov, null, 'not_loaded', NOT_LOADED)) };
  const rows = await figuresOf(ctx.db, place.communes, latest.edition);
  const covered = rows.length === place.communes.length;
  const absent = notLoaded(
    rows.length ? `L’édition ${latest.edition} ne couvre que ${rows.length} des ${place.communes.length} communes : pas de somme partielle.` : `La commune n’est pas dans l’édition ${latest.edition} chargée.`,
  );
  // A column secret in one commune is unknown for their sum.
  const secret = (col: string) => rows.some((r) => r.secrets.includes(col));
  const missingOf = (cols: string[]) => (!covered ? absent : cols.some(secret) ? { reason: 'secrecy' as const, message: 'Secret statistique de l’Insee (« s » dans le fichier).' } : notLoaded('Colonne absente de l’édition chargée.'));
  const s = covered ? sumFigures(rows, INSEE_COUNTS) : ({} as Record<string, number | null>);
  const census = '2022';
  const round = (x: number | null | undefined) => (x == null ? null : Math.round(x));
  const figures: Figure[] = [
    figureOf(indicatorHead('population'), prov, census, s.P22_POP, missingOf(['P22_POP'])),
    figureOf(indicatorHead('population_change'), prov, '2016-2022', change(s.P22_POP, s.P16_POP), missingOf(['P22_POP', 'P16_POP']), 'Population municipale 2022 rapportée à celle de 2016.'),
    figureOf(indicatorHead('households'), prov, census, round(s.P22_MEN), missingOf(['P22_MEN'])),
    figureOf(indicatorHead('main_residences'), prov, census, round(s.P22_RP), missingOf(['P22_RP']), 'Recensement (le décompte SRU part des fichiers fiscaux, pas du recensement).'),
    figureOf(indicatorHead('vacancy_rate'), prov, census, percent(s.P22_LOGVAC, s.P22_LOG), missingOf(['P22_LOGVAC', 'P22_LOG']), 'Logements vacants ÷ logements.'),
    figureOf(indicatorHead('owners_share'), prov, census, percent(s.P22_RP_PROP, s.P22_RP), missingOf(['P22_RP_PROP', 'P22_RP']), 'Résidences principales occupées par leur propriétaire ÷ résidences principales.'),
  ];
  // Filosofi's median and poverty rate are figures of the whole distribution: an EPCI's cannot be told from its
  // communes' (a median of medians is not a median), and the comparateur file holds communes only.
  const filosofi = (key: string, col: string) =>
    place.level === 'epci'
      ? missingFigure(indicatorHead(key), prov, '2021', 'not_applicable', 'La médiane et le taux de pauvreté d’un EPCI ne se déduisent pas de ceux de ses communes ; le fichier chargé ne donne que les communes.')
      : figureOf(indicatorHead(key), prov, '2021', rows[0]?.figures[col], missingOf([col]), 'Filosofi 2021.');
  figures.push(filosofi('median_income', 'MED21'), filosofi('poverty_rate', 'TP6021'));
  return { ...base, method: null, figures };
}

/** The INSEE median income of a commune (for the affordability ratio), or null. */
export async function medianIncome(ctx: AppContext, code: string): Promise<number | null> {
  return (await figuresOf(ctx.db, [code]))[0]?.figures.MED21 ?? null;
}

// ---------- 2. market (DVF, through the market module) ----------

/** The method of the portrait's market figures: Etalab's, as data.gouv.fr's « Statistiques DVF » (docs/market.md). */
const MARKET_QUERY = { period: 'year' as const, types: 'maison,appartement,maison_appartement', method: 'etalab' as const };

/** The day the DVF edition in the lake was loaded (its files' latest import): the date every market figure carries. */
export function dvfEditionDate(ctx: AppContext): string | null {
  return dayOf(readDvfManifest(ctx.lake.dir).files.map((f) => f.importedAt).sort().at(-1));
}

export async function marketSection(ctx: AppContext, place: PortraitPlace, income: number | null): Promise<Section> {
  const market = marketOf(ctx);
  const a = place.level === 'commune' ? await market.communeIndicators(place.code, MARKET_QUERY) : await market.epciIndicators(place.code, MARKET_QUERY);
  const rows = a.indicators;
  const years = [...new Set(rows.map((r) => r.period))].sort();
  const last = years.at(-1) ?? null;
  const prov: Provenance = { source: a.source, edition: last ? (years[0] === last ? `ventes ${last}` : `ventes ${years[0]}–${last}`) : null, edition_date: dvfEditionDate(ctx) };
  const base = { key: 'market' as const, title: 'Marché immobilier', module_path: place.level === 'commune' ? `/prix/communes/${place.code}` : '/prix' };
  const at = (type: string, period: string | null) => rows.find((r) => r.type === type && r.period === period);
  const noSales = notLoaded('Aucune vente de logement de ce territoire dans les données DVF chargées (extrait partiel en démonstration).');
  const value = (type: string, pick: (r: { price_m2_median: number; sales_count: number; price_median: number }) => number) => {
    const r = at(type, last);
    if (!last) return { value: null, missing: noSales };
    if (!r) return { value: null, missing: notLoaded(`Aucune vente de ce type en ${last}.`) };
    if (r.withheld) return { value: null, missing: { reason: 'secrecy' as const, message: r.reason } };
    return { value: pick(r), missing: noSales };
  };
  const fig = (key: string, type: string, pick: (r: { price_m2_median: number; sales_count: number; price_median: number }) => number) => {
    const v = value(type, pick);
    return figureOf(indicatorHead(key), prov, last, v.value, v.missing);
  };
  const price = value('maison_appartement', (r) => r.price_median);
  const method =
    'Ratio d’accessibilité = prix de vente médian d’une maison ou d’un appartement (ventes de la dernière année) ÷ revenu disponible médian annuel par unité de consommation (Insee, Filosofi 2021), c’est-à-dire le revenu d’une personne seule : ' +
    'un couple sans enfant compte 1,5 unité de consommation, son ratio est celui-ci divisé par 1,5. ' +
    `Prix : ${a.method_description}`;
  const affordability =
    place.level === 'epci'
      ? missingFigure(indicatorHead('affordability_ratio'), prov, last, 'not_applicable', 'Le revenu médian d’un EPCI n’est pas dans le fichier Insee chargé (communes seulement).')
      : income === null
        ? missingFigure(indicatorHead('affordability_ratio'), prov, last, 'not_loaded', 'Revenu médian de la commune absent (Insee, Filosofi).')
        : figureOf(indicatorHead('affordability_ratio'), prov, last, price.value === null ? null : Math.round((price.value / income) * 10) / 10, price.missing, 'Voir la méthode.');
  const trend = (key: string, type: string, label: string): Series =>
    seriesOf(
      { key, label, unit: '€/m²' },
      prov,
      years.map((y) => {
        const r = at(type, y);
        return { period: y, value: r && !r.withheld ? r.price_m2_median : null, withheld: !!r?.withheld };
      }),
      noSales,
    );
  return {
    ...base,
    method,
    figures: [fig('price_m2_apartment', 'appartement', (r) => r.price_m2_median), fig('price_m2_house', 'maison', (r) => r.price_m2_median), fig('sales_count', 'maison_appartement', (r) => r.sales_count), affordability],
    series: [trend('price_m2_apartment', 'appartement', 'Prix médian au m² des appartements, par année'), trend('price_m2_house', 'maison', 'Prix médian au m² des maisons, par année')],
  };
}

// ---------- 3. new construction (Sitadel and programmes, PLH targets) ----------

type Step = 'authorisation_date' | 'works_start_date';
/** The instance-wide secrecy decisions of one step, per year; a comparison computes them once for all its places. */
export type ConstructionSecrecy = Map<Step, Promise<{ communes: Set<string>; byYear: Map<number, LevelSecrecy> }>>;

/**
 * Which yearly figures the secrecy withholds, decided over the whole instance at once (protectLevels): a commune's
 * year of few operations must not come back as its EPCI's total minus its other communes, nor an EPCI's as the
 * instance's minus the other EPCIs. Every portrait and comparison reads the same decision.
 */
async function instanceSecrecy(ctx: AppContext, step: Step) {
  const [rows, communes] = await Promise.all([constructionCountsPerYear(ctx.db, step), instanceCommunes(ctx.db)]);
  const inInstance = new Set(communes.map((c) => c.code));
  const byYear = new Map<number, Map<string, { units: number; count: number }>>();
  for (const r of rows) {
    if (!inInstance.has(r.communeCode)) continue;
    const y = byYear.get(r.year) ?? new Map<string, { units: number; count: number }>();
    const c = y.get(r.communeCode) ?? { units: 0, count: 0 };
    y.set(r.communeCode, { units: c.units + r.units, count: c.count + r.count });
    byYear.set(r.year, y);
  }
  const cellsOf = (cells: Map<string, { units: number; count: number }>) =>
    communes.map((c) => ({ code: c.code, epci: c.epci_siren, value: cells.get(c.code)?.units ?? 0, cases: cells.get(c.code)?.count ?? 0 }));
  return { communes: inInstance, byYear: new Map([...byYear].map(([y, cells]) => [y, protectLevels(cellsOf(cells), ctx.config.secrecyMinCount)])) };
}

/** The status of each year of a place (a commune, an EPCI, the instance); none for a place outside the instance. */
async function constructionSecrecy(ctx: AppContext, step: Step, place: PortraitPlace, memo: ConstructionSecrecy) {
  if (!memo.has(step)) {
    const decided = instanceSecrecy(ctx, step);
    memo.set(step, decided);
    // A failed decision is not kept (the memo lives as long as the pipeline's version): the next answer tries again.
    decided.catch(() => memo.get(step) === decided && memo.delete(step));
  }
  const { communes, byYear } = await memo.get(step)!;
  const isInstance = place.communes.length === communes.size && place.communes.every((c) => communes.has(c));
  const statusOf = new Map<number, Status>();
  for (const [year, s] of byYear) {
    const st = place.level === 'commune' ? s.communes.get(place.code) : isInstance ? s.instance : s.epcis.get(place.code);
    if (st) statusOf.set(year, st);
  }
  return statusOf;
}

export async function constructionSection(ctx: AppContext, place: PortraitPlace, now: Date, memo: ConstructionSecrecy = new Map()): Promise<Section> {
  const min = ctx.config.secrecyMinCount;
  const [authorised, started, targets, autSecrecy, staSecrecy] = await Promise.all([
    constructionCountsPerYear(ctx.db, 'authorisation_date', place.communes),
    constructionCountsPerYear(ctx.db, 'works_start_date', place.communes),
    targetAchievements(ctx.db, place.communes),
    constructionSecrecy(ctx, 'authorisation_date', place, memo),
    constructionSecrecy(ctx, 'works_start_date', place, memo),
  ]);
  const prov: Provenance = { source: SOURCE_SITADEL, edition: null, edition_date: null };
  const base = { key: 'construction' as const, title: 'Construction neuve', module_path: '/construction-neuve' };
  // Dwellings of all the place's communes per year; a year of fewer operations than the threshold is withheld, and
  // so is a year the instance-wide decision withholds to protect another place (a place outside the instance: its own rule).
  const perYear = (rows: { year: number; units: number; count: number }[], secrecy: Map<number, Status>) => {
    const m = new Map<number, { units: number; count: number }>();
    for (const r of rows) {
      const y = m.get(r.year) ?? { units: 0, count: 0 };
      m.set(r.year, { units: y.units + r.units, count: y.count + r.count });
    }
    return [...m.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([y, v]) => {
        const st = secrecy.get(y) ?? (v.count > 0 && v.count < min ? 'primary' : 'published');
        return { period: String(y), value: st === 'published' ? v.units : null, withheld: st !== 'published', secondary: st === 'secondary' };
      });
  };
  // A series point says withheld, not why: the figure of the latest year gives the reason.
  const pointOf = (p: { period: string; value: number | null; withheld: boolean }) => ({ period: p.period, value: p.value, withheld: p.withheld });
  const aut = perYear(authorised, autSecrecy);
  const sta = perYear(started, staSecrecy);
  const noPermit = notLoaded('Aucun permis de construire chargé pour ce territoire (Sitadel : en démonstration, la seule ville de Toulouse).');
  // The last full year: the current one is still being filled in.
  const lastFull = (points: typeof aut) => points.filter((p) => Number(p.period) < now.getUTCFullYear()).at(-1);
  const latest = (key: string, points: typeof aut) => {
    const p = lastFull(points);
    if (!p) return missingFigure(indicatorHead(key), prov, null, 'not_loaded', noPermit.message);
    if (!p.withheld) return valueFigure(indicatorHead(key), prov, p.period, p.value!);
    return missingFigure(indicatorHead(key), prov, p.period, 'secrecy', p.secondary ? SECONDARY_REASON : secrecyMessage(min));
  };
  const figures: Figure[] = [latest('authorised_dwellings', aut), latest('started_dwellings', sta)];
  // The PLH target of the period under way (else the latest), summed over the communes that have one.
  const year = now.getUTCFullYear();
  const periods = [...new Set(targets.map((t) => `${t.target.periodStart}-${t.target.periodEnd}`))].sort();
  const current = periods.find((p) => Number(p.slice(0, 4)) <= year && year <= Number(p.slice(5))) ?? periods.at(-1);
  const tprov: Provenance = { source: `${SOURCE_SITADEL} ; ${SOURCE_PLH}`, edition: null, edition_date: null };
  const targetHead = { key: 'plh_target', label: 'Objectif de logements du PLH sur la période', unit: 'logements' };
  const paceHead = { key: 'plh_pace_needed', label: 'Rythme nécessaire pour atteindre l’objectif', unit: 'logements par an' };
  if (!current) {
    const why = notLoaded('Aucun objectif du PLH saisi pour ce territoire.');
    figures.push(missingFigure(targetHead, tprov, null, why.reason, why.message), missingFigure(indicatorHead('plh_target_reached'), tprov, null, why.reason, why.message), missingFigure(paceHead, tprov, null, why.reason, why.message));
  } else {
    const mine = targets.filter((t) => `${t.target.periodStart}-${t.target.periodEnd}` === current);
    const sum = (f: (t: (typeof mine)[number]) => number) => mine.reduce((a, t) => a + f(t), 0);
    const p = targetProgress(
      { communeCode: place.code, periodStart: mine[0].target.periodStart, periodEnd: mine[0].target.periodEnd, total: sum((t) => t.target.total), social: sum((t) => t.target.social), sru: false },
      { authorised: sum((t) => t.achieved.authorised), authorisedSocial: sum((t) => t.achieved.authorisedSocial), started: sum((t) => t.achieved.started), delivered: sum((t) => t.achieved.delivered) },
      now,
    );
    const partial = place.level === 'epci' && mine.length < place.communes.length ? ` (${mine.length} communes sur ${place.communes.length} ont un objectif)` : '';
    figures.push(
      valueFigure(targetHead, tprov, current, sum((t) => t.target.total), `Communes avec un objectif${partial}.`),
      figureOf(indicatorHead('plh_target_reached'), tprov, current, p.rate === null ? null : Math.round(p.rate * 1000) / 10, na('Objectif nul.'), 'Logements autorisés dans la période ÷ objectif.'),
      valueFigure(paceHead, tprov, current, Math.ceil(p.pacePerYear), `Reste ${Math.round(p.remaining)} logements en ${p.yearsLeft} an(s).`),
    );
  }
  return {
    ...base,
    method: 'Logements des programmes comptés (doublons rapprochés et projets abandonnés exclus) par année d’autorisation et d’ouverture de chantier ; une année de moins d’opérations que le seuil du secret statistique n’est pas publiée.',
    figures,
    series: [
      seriesOf({ key: 'authorised_dwellings', label: 'Logements autorisés par année', unit: 'logements' }, prov, aut.map(pointOf), noPermit),
      seriesOf({ key: 'started_dwellings', label: 'Logements commencés par année', unit: 'logements' }, prov, sta.map(pointOf), noPermit),
    ],
  };
}

// ---------- 4. social housing (RPLS, SRU) ----------

export async function socialHousingSection(ctx: AppContext, place: PortraitPlace, energy: Energy | null, now: Date): Promise<Section> {
  const base = { key: 'social_housing' as const, title: 'Logement social', module_path: '/plh/sru', series: [] as Series[] };
  const rpls = energy?.rpls ?? null;
  const rprov: Provenance = { source: rpls?.source ?? 'RPLS', edition: rpls ? String(rpls.vintage) : null, edition_date: rpls ? `${rpls.vintage}-01-01` : null };
  const stock = !rpls
    ? missingFigure(indicatorHead('social_housing_stock'), rprov, null, 'not_loaded', NOT_LOADED)
    : rpls.dwellings.withheld
      ? missingFigure(indicatorHead('social_housing_stock'), rprov, String(rpls.vintage), 'secrecy', rpls.dwellings.reason ?? secrecyMessage(ctx.config.secrecyMinCount))
      : figureOf(indicatorHead('social_housing_stock'), rprov, String(rpls.vintage), rpls.dwellings.value, notLoaded(), 'Logements du parc des bailleurs sociaux au 1er janvier.');
  const lines = await publicSruLines(ctx.db, now.getUTCFullYear(), place.communes);
  const sprov: Provenance = { source: SOURCE_SRU, edition: lines[0] ? String(lines[0].line.inventory_year) : null, edition_date: null };
  const sru = lines.map((l) => l.line).filter((l) => !l.exempt);
  const objectiveHead = { key: 'sru_triennial_objective', label: 'Objectif triennal SRU', unit: 'logements' };
  const progressHead = { key: 'sru_triennial_progress', label: 'Avancement de l’objectif triennal', unit: '%' };
  const noSru = notLoaded(place.level === 'commune' ? 'Aucun inventaire SRU saisi pour cette commune (ou commune non soumise).' : 'Aucun inventaire SRU saisi pour les communes de cet EPCI.');
  if (!sru.length) {
    const keys = [indicatorHead('sru_rate'), indicatorHead('sru_deficit'), objectiveHead, progressHead];
    return { ...base, method: null, figures: [stock, ...keys.map((h) => missingFigure(h, sprov, null, noSru.reason, noSru.message))] };
  }
  const sum = (f: (l: (typeof sru)[number]) => number) => sru.reduce((a, l) => a + f(l), 0);
  const period = sru[0].period;
  const objective = sum((l) => l.triennial_target);
  const produced = sum((l) => l.produced.total);
  const partial = place.level === 'epci' ? ` Somme des ${sru.length} communes soumises et non exemptées.` : '';
  return {
    ...base,
    method: 'Taux = logements sociaux ÷ résidences principales de l’inventaire ; déficit = logements manquants pour le taux légal ; objectif triennal = part du déficit à rattraper sur la période.',
    figures: [
      stock,
      valueFigure(indicatorHead('sru_rate'), sprov, sprov.edition, percent(sum((l) => l.social_dwellings), sum((l) => l.main_residences)) ?? 0, `Inventaire SRU.${partial}`),
      valueFigure(indicatorHead('sru_deficit'), sprov, sprov.edition, sum((l) => l.deficit), partial || null),
      valueFigure(objectiveHead, sprov, period, objective),
      figureOf(progressHead, sprov, period, percent(produced, objective), na('Pas d’objectif triennal (pas de déficit).'), 'Logements sociaux financés dans la période ÷ objectif.'),
    ],
  };
}

// ---------- 5. demand (SNE, by EPCI) ----------

export async function demandSection(ctx: AppContext, place: PortraitPlace, epci: string | null, now: Date): Promise<Section> {
  const base = {
    key: 'demand' as const,
    title: 'Demande de logement social',
    module_path: '/cotation',
    series: [] as Series[],
    method:
      'Pression = demandes en attente ÷ attributions des 12 derniers mois. Délai d’attente médian = médiane, en mois entiers, du temps écoulé entre le dépôt et l’attribution des demandes attribuées dans les 12 derniers mois dans la commune (pour un EPCI : dans ses communes, médiane recalculée sur ces attributions).',
  };
  const heads = ['pending_demands', 'attributions', 'pressure_ratio', 'median_waiting_months'].map(indicatorHead);
  const prov: Provenance = { source: SOURCE_SNE, edition: null, edition_date: null };
  const held = !!epci && ctx.config.epciSirens.includes(epci);
  if (!held) return { ...base, figures: heads.map((h) => missingFigure(h, prov, null, 'not_loaded', 'Cet EPCI ne tient pas ses demandes dans cette instance.')) };
  const refDate = now.toISOString().slice(0, 10);
  const dated: Provenance = { ...prov, edition_date: refDate };
  const note = ctx.config.loadDemo ? 'Démonstration : demandes inventées (aucune donnée réelle du SNE).' : null;
  const secret = { reason: 'secrecy' as const, message: secrecyMessage(ctx.config.secrecyMinCount) };
  const w = await attributedWaiting(ctx.db, place.communes, ctx.config.secrecyMinCount, refDate);
  const year = `${w.from} – ${w.to}`;
  const noAttribution = notLoaded('Aucune demande attribuée dans les 12 derniers mois.');
  const waiting = figureOf(heads[3], dated, year, w.status === 'published' ? w.median_months : null, w.status === 'none' ? noAttribution : secret, note);
  if (place.level === 'commune') {
    // A demand names several communes: its count belongs to the EPCI. The commune's attribution count is not shown
    // either, so that the EPCI's total cannot give back a commune's count withheld for secrecy by subtraction.
    const why = na('La demande est suivie à l’échelle de l’EPCI (une demande vise plusieurs communes) : voir le portrait de l’EPCI.');
    return { ...base, figures: [...heads.slice(0, 3).map((h) => missingFigure(h, prov, null, why.reason, why.message)), waiting] };
  }
  const s = await demandStatistics(ctx.db, place.code, ctx.config.secrecyMinCount, refDate);
  if (s.active_demands === 0 && w.status === 'none') return { ...base, figures: heads.map((h) => missingFigure(h, prov, null, 'not_loaded', 'Aucune demande enregistrée pour cet EPCI.')) };
  const attributions = w.status === 'published' ? w.count : w.status === 'none' ? 0 : null;
  return {
    ...base,
    figures: [
      figureOf(heads[0], dated, refDate, s.active_demands, secret, note),
      figureOf(heads[1], dated, year, attributions, secret, note),
      figureOf(heads[2], dated, refDate, s.active_demands && attributions ? Math.round((s.active_demands / attributions) * 10) / 10 : null, attributions === 0 ? na('Aucune attribution dans les 12 derniers mois.') : secret, note),
      waiting,
    ],
  };
}

// ---------- 6. energy (RPLS classes, rental-ban calendar) ----------

/** What the social housing and energy sections read of the stock: its RPLS figures and the calendar's note. */
export type Energy = Pick<Awaited<ReturnType<typeof communeEnergy>>, 'rpls' | 'calendar'>;

/** The stock module's public energy figures of the place (its own answer, DPE counts included). */
export async function energyData(ctx: AppContext, place: PortraitPlace): Promise<Energy> {
  return place.level === 'commune' ? communeEnergy(ctx, place.code) : epciEnergy(ctx, place.code);
}

/** The same RPLS figures from the codes the place already has (no look-up of its places, no DPE count). */
export const placeRpls = (ctx: AppContext, codes: string[]): Promise<Energy> => rplsEnergy(ctx, codes);

export function energySection(ctx: AppContext, energy: Energy): Section {
  const rpls = energy.rpls;
  const base = { key: 'energy' as const, title: 'Énergie du parc social', module_path: '/parc-social' };
  const prov: Provenance = { source: rpls?.source ?? 'RPLS', edition: rpls ? String(rpls.vintage) : null, edition_date: rpls ? `${rpls.vintage}-01-01` : null };
  const heads = [indicatorHead('share_fg'), indicatorHead('share_e')];
  if (!rpls) return { ...base, method: null, figures: heads.map((h) => missingFigure(h, prov, null, 'not_loaded', NOT_LOADED)), series: [] };
  const c = rpls.classes;
  const known = (['A', 'B', 'C', 'D', 'E', 'F', 'G'] as const).map((k) => c[k]);
  const allPublished = known.every((f) => !f.withheld && f.value !== null);
  const knownTotal = allPublished ? known.reduce((a, f) => a + f.value!, 0) : null;
  const secret = { reason: 'secrecy' as const, message: secrecyMessage(ctx.config.secrecyMinCount) };
  const period = String(rpls.vintage);
  const share = (h: (typeof heads)[number], classes: ('E' | 'F' | 'G')[]) =>
    knownTotal === 0
      ? missingFigure(h, prov, period, 'not_loaded', 'Aucun logement dont la classe énergie est connue.')
      : figureOf(h, prov, period, allPublished ? percent(classes.reduce((a, k) => a + c[k].value!, 0), knownTotal) : null, secret, 'Parmi les logements sociaux dont la classe est connue (déclarée au RPLS).');
  return {
    ...base,
    method: energy.calendar,
    figures: [share(heads[0], ['F', 'G']), share(heads[1], ['E'])],
    series: [
      seriesOf(
        { key: 'rental_ban', label: 'Logements sociaux interdits à la location, par échéance du calendrier', unit: 'logements' },
        prov,
        rpls.steps.map((s) => ({ period: `${s.date.slice(0, 4)} (classe ${s.excluded_class})`, value: s.banned_dwellings.withheld ? null : s.banned_dwellings.value, withheld: s.banned_dwellings.withheld })),
        notLoaded(),
      ),
    ],
  };
}
