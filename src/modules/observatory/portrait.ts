// Use cases of the portrait: the six sections of a commune or an EPCI, the comparable communes, and one indicator
// for every commune of the instance (ranking and map). Reads other modules through their index.ts only.
import type { AppContext } from '../../platform/context.ts';
import { notFound } from '../../platform/errors.ts';
import { epciCommunes, findCommune, findEpci, instanceCommunes, instanceEpcis } from '../territory/index.ts';
import { type ComparableCommune, type Figure, indicatorAnswer, type IndicatorAnswer, type IndicatorsListAnswer, type LegendClass, type NoDataReason, type PortraitAnswer, type PortraitSection, type SectionKey } from './contract.ts';
import { INDICATORS, indicatorByKey } from './indicators.ts';
import { classOf, closestProfiles, quantileClasses, ranks } from './model.ts';
import { type ConstructionSecrecy, constructionSection, demandSection, dvfEditionDate, type Energy, energyData, energySection, marketOf, marketSection, medianIncome, placeRpls, populationSection, socialHousingSection, type PortraitPlace } from './sections.ts';
import { demoSources } from './demo-sources.ts';
import { keeperOf, keptAnswer, keptPortrait, type Keeper } from './answers.ts';
import { figuresOf } from './store.ts';

async function placeOf(ctx: AppContext, level: 'commune' | 'epci', code: string) {
  if (level === 'commune') {
    const c = await findCommune(ctx.db, code);
    if (!c || c.type !== 'commune-actuelle') throw notFound(`Commune ${code}`);
    const epci = c.epci_siren ? await findEpci(ctx.db, c.epci_siren) : undefined;
    return {
      place: { level, code, name: c.name, communes: [code] } as PortraitPlace,
      epci: epci ? { siren: epci.siren, name: epci.name } : null,
      members: [{ code, name: c.name }],
      // The RPLS counts a commune's arrondissements under their own codes (the stock module's rule).
      stockCodes: [code, ...c.arrondissements.map((a) => a.code)],
    };
  }
  const e = await findEpci(ctx.db, code);
  if (!e) throw notFound(`EPCI ${code}`);
  const members = (await epciCommunes(ctx.db, code)).map((c) => ({ code: c.code, name: c.name }));
  const stockCodes = (await epciCommunes(ctx.db, code, { arrondissements: true })).map((c) => c.code);
  return { place: { level, code, name: e.name, communes: members.map((m) => m.code) } as PortraitPlace, epci: null, members, stockCodes };
}

/** What the sections of several places (or several requests) share: computed once, then reused. */
interface Shared {
  /** The instance-wide construction secrecy (one decision for every place). */
  secrecy: ConstructionSecrecy;
  energy(place: PortraitPlace): Promise<Energy>;
}
const unshared = (ctx: AppContext): Shared => ({ secrecy: new Map(), energy: (place) => energyData(ctx, place) });

/** The sections of a place, in the order; `only` computes just those (the comparisons need one). */
async function sectionsOf(ctx: AppContext, place: PortraitPlace, epci: string | null, now: Date, only?: SectionKey, shared: Shared = unshared(ctx)): Promise<PortraitSection[]> {
  const want = (k: SectionKey) => !only || only === k;
  const income = place.level === 'commune' && want('market') ? await medianIncome(ctx, place.code) : null;
  const energy = want('energy') || want('social_housing') ? await shared.energy(place) : null;
  const out: PortraitSection[] = [];
  if (want('population')) out.push(await populationSection(ctx, place));
  if (want('market')) out.push(await marketSection(ctx, place, income));
  if (want('construction')) out.push(await constructionSection(ctx, place, now, shared.secrecy));
  if (want('social_housing')) out.push(await socialHousingSection(ctx, place, energy, now));
  if (want('demand')) out.push(await demandSection(ctx, place, place.level === 'epci' ? place.code : epci, now));
  if (want('energy')) out.push(energySection(ctx, energy!));
  return out;
}

/** What one portrait reads, as parts: from the raw sources at every call, or kept per version of their sources. */
interface PortraitParts {
  place(level: 'commune' | 'epci', code: string): ReturnType<typeof placeOf>;
  demo(): Promise<boolean>;
  profiles(): ReturnType<typeof instanceProfiles>;
  shared: Shared;
}

// True when a source the portrait joins is a demo extract: the catalogue's per-source flag (demo-sources.ts).
const anyDemo = async (ctx: AppContext) => Object.values(await demoSources(ctx)).some(Boolean);

const rawParts = (ctx: AppContext): PortraitParts => ({
  place: (level, code) => placeOf(ctx, level, code),
  demo: () => anyDemo(ctx),
  profiles: () => instanceProfiles(ctx),
  shared: unshared(ctx),
});

/** The same parts, each kept while the sources it reads keep their version (answers.ts). */
function keptParts(ctx: AppContext, k: Keeper, secrecy: ConstructionSecrecy): PortraitParts {
  const parts: PortraitParts = {
    place: (level, code) => k.part(`place|${level}|${code}`, ['territory'], () => placeOf(ctx, level, code)),
    demo: () => k.part('demo', ['dvf', 'construction', 'rpls', 'dpe', 'insee'], () => anyDemo(ctx)),
    profiles: () => k.part('profiles', ['territory', 'insee', 'dvf', 'config'], () => instanceProfiles(ctx)),
    shared: {
      secrecy,
      // From the vintage's per-commune index (stock), over the codes the place's look-up already gave.
      energy: async (place) => placeRpls(ctx, (await parts.place(place.level, place.code)).stockCodes),
    },
  };
  return parts;
}

/** The portrait computed now from the sources, nothing kept: what every kept answer must equal. */
export const portraitFromSources = (ctx: AppContext, level: 'commune' | 'epci', code: string, now = new Date()) => computePortrait(rawParts(ctx), ctx, level, code, now);

/** The portrait as kept (computed at its first request after a change of one of its sources), with its bytes. */
export async function keptPortraitOf(ctx: AppContext, level: 'commune' | 'epci', code: string, now = new Date()) {
  const { k, parts } = await keptPartsNow(ctx, now);
  return keptPortrait(ctx, k, `${level}|${code}`, () => computePortrait(parts, ctx, level, code, now));
}

/** One indicator for every commune as kept, with the portraits' shared parts (the same secrecy decision). */
export async function keptComparisonOf(ctx: AppContext, key: string, q: { epci?: string; classes: number }, now = new Date()) {
  const { k, parts } = await keptPartsNow(ctx, now);
  return keptAnswer(ctx, k, `indicator|${key}|${q.epci ?? ''}|${q.classes}`, indicatorAnswer, () => compareIndicator(ctx, key, q, now, parts.shared));
}

async function keptPartsNow(ctx: AppContext, now: Date) {
  const k = await keeperOf(ctx, now);
  // A Map that the construction section fills once per step, kept while the pipeline and the territory do not change.
  const secrecy = await k.part('construction-secrecy', ['construction', 'territory', 'config'], async (): Promise<ConstructionSecrecy> => new Map());
  return { k, parts: keptParts(ctx, k, secrecy) };
}

/**
 * Computes ahead what every first portrait shares (the instance's construction secrecy, the comparable communes'
 * profiles, the demo flags, the RPLS index): each EPCI's portrait and one of its communes', so that no visitor waits
 * for them once the server is ready.
 */
export async function preparePortraits(ctx: AppContext, closing: () => boolean): Promise<void> {
  for (const e of await instanceEpcis(ctx.db)) {
    if (closing()) return;
    await keptPortraitOf(ctx, 'epci', e.siren);
    const [first] = await epciCommunes(ctx.db, e.siren);
    if (first && !closing()) await keptPortraitOf(ctx, 'commune', first.code);
  }
}

export async function portrait(ctx: AppContext, level: 'commune' | 'epci', code: string, now = new Date()): Promise<PortraitAnswer> {
  return (await keptPortraitOf(ctx, level, code, now)).answer;
}

async function computePortrait(parts: PortraitParts, ctx: AppContext, level: 'commune' | 'epci', code: string, now: Date): Promise<PortraitAnswer> {
  const { place, epci, members } = await parts.place(level, code);
  const sections = await sectionsOf(ctx, place, epci?.siren ?? null, now, undefined, parts.shared);
  const base = level === 'commune' ? `/api/territory/communes/${code}/portrait` : `/api/territory/epci/${code}/portrait`;
  return {
    level,
    code,
    name: place.name,
    epci,
    communes: members,
    demo: await parts.demo(),
    sections,
    comparables:
      level === 'commune'
        ? await comparables(parts, code, sections)
        : { status: 'no_data', reason: 'not_applicable', message: 'Les communes comparables se cherchent pour une commune.' },
    sheet: { pdf: `${base}.pdf`, docx: `${base}.docx` },
  };
}

const valueIn = (sections: PortraitSection[], key: string): number | null => {
  const f = sections.flatMap((s) => s.figures).find((x) => x.key === key);
  return f?.status === 'ok' ? f.value : null;
};

// ---------- comparable communes ----------

const COMPARABLE_METHOD =
  'Les cinq communes de l’instance les plus proches sur la population (Insee 2022), le revenu disponible médian (Filosofi 2021) et le prix médian au m² des logements (DVF, dernière année) : ' +
  'chaque grandeur est divisée par son écart-type entre communes, la distance est la moyenne quadratique des écarts sur les grandeurs connues des deux communes.';

async function comparables(parts: PortraitParts, code: string, sections: PortraitSection[]): Promise<PortraitAnswer['comparables']> {
  const profiles = await parts.profiles();
  const target = profiles.find((p) => p.code === code) ?? { code, name: '', epci_siren: null, values: [valueIn(sections, 'population'), valueIn(sections, 'median_income'), null] };
  if (target.values.every((v) => v === null)) return { status: 'no_data', reason: 'not_loaded', message: 'Ni population, ni revenu, ni prix connus pour cette commune.' };
  const byCode = new Map(profiles.map((p) => [p.code, p]));
  const communes: ComparableCommune[] = closestProfiles(target, profiles).map((c) => {
    const p = byCode.get(c.code)!;
    return { code: p.code, name: p.name, epci_siren: p.epci_siren, distance: Math.round(c.distance * 1000) / 1000, population: p.values[0], median_income: p.values[1], price_m2: p.values[2] };
  });
  return { status: 'ok', method: COMPARABLE_METHOD, communes };
}

/** Population, median income and price per m² (houses and flats) of every commune of the instance. */
async function instanceProfiles(ctx: AppContext) {
  const communes = await instanceCommunes(ctx.db);
  const insee = new Map((await figuresOf(ctx.db, communes.map((c) => c.code))).map((r) => [r.commune_code, r.figures]));
  const prices = await communeMarket(ctx, 'maison_appartement');
  return communes.map((c) => ({
    code: c.code,
    name: c.name,
    epci_siren: c.epci_siren,
    values: [insee.get(c.code)?.P22_POP ?? null, insee.get(c.code)?.MED21 ?? null, prices.get(c.code)?.price_m2_median ?? null] as (number | null)[],
  }));
}

/** The market map's row of each commune (latest year, Etalab's method, with the market's secrecy). */
async function communeMarket(ctx: AppContext, type: 'maison' | 'appartement' | 'maison_appartement') {
  const market = marketOf(ctx);
  const map = await market.mapPage({ type, window: 'year', method: 'etalab' });
  return new Map(map.table.rows.map((r) => [r.code, { ...r, period: map.period }]));
}

// ---------- comparisons ----------

type Value = { value: number | null; reason: NoDataReason | null };
const fromFigure = (f: Figure | undefined): Value => (!f ? { value: null, reason: 'not_loaded' } : f.status === 'ok' ? { value: f.value, reason: null } : { value: null, reason: f.reason });

/** The indicators the comparisons offer: every figure known per commune (the demand is known per EPCI only). */
export const COMPARABLE_INDICATORS: IndicatorsListAnswer['indicators'] = INDICATORS.filter((i) => i.section !== 'demand');

/** One indicator for every commune of the instance (or of one EPCI), its EPCIs and the instance, with legend classes. */
export async function compareIndicator(ctx: AppContext, key: string, q: { epci?: string; classes: number }, now = new Date(), shared: Shared = unshared(ctx)): Promise<IndicatorAnswer> {
  const def = COMPARABLE_INDICATORS.find((i) => i.key === key) ?? null;
  if (!def || !indicatorByKey(key)) throw notFound(`Indicateur ${key}`);
  const epcis = await instanceEpcis(ctx.db);
  if (q.epci && !epcis.some((e) => e.siren === q.epci)) throw notFound(`EPCI ${q.epci}`);
  const all = await instanceCommunes(ctx.db);
  const communes = q.epci ? all.filter((c) => c.epci_siren === q.epci) : all;
  // One instance-wide secrecy decision for all the places of the answer (and the same as each portrait's): `shared`.
  const figureOf = async (place: PortraitPlace) => (await sectionsOf(ctx, place, null, now, def.section, shared))[0].figures.find((f) => f.key === key);
  // Each commune's value is its portrait's figure; the market's come from the market map in one read.
  const values: Value[] = [];
  let edition: { edition: string | null; edition_date: string | null } = { edition: null, edition_date: null };
  if (def.section === 'market' && key !== 'affordability_ratio') {
    const type = key === 'price_m2_apartment' ? 'appartement' : key === 'price_m2_house' ? 'maison' : 'maison_appartement';
    const rows = await communeMarket(ctx, type);
    for (const c of communes) {
      const r = rows.get(c.code);
      const v = !r ? null : key === 'sales_count' ? r.sales_count : r.price_m2_median;
      values.push({ value: v, reason: v !== null ? null : r?.withheld && r.sales_count === null && r.reason?.includes('Aucune vente') ? 'not_loaded' : 'secrecy' });
      edition = { edition: r?.period ?? null, edition_date: dvfEditionDate(ctx) };
    }
  } else {
    for (const c of communes) {
      const f = await figureOf({ level: 'commune', code: c.code, name: c.name, communes: [c.code] });
      values.push(fromFigure(f));
      if (f && f.edition) edition = { edition: f.edition, edition_date: f.edition_date };
    }
  }
  const epciValues = await Promise.all(
    epcis.map(async (e) => ({ siren: e.siren, name: e.name, ...fromFigure(await figureOf({ level: 'epci', code: e.siren, name: e.name, communes: (await epciCommunes(ctx.db, e.siren)).map((c) => c.code) })) })),
  );
  // The instance: its communes pooled as one place (for an EPCI scope, that EPCI).
  const instance = q.epci ? epciValues.find((e) => e.siren === q.epci)! : { name: 'Ensemble du territoire', ...(await instanceValue(ctx, def.section, key, all.map((c) => c.code), now, shared)) };
  const present = values.map((v) => v.value).filter((v): v is number => v !== null);
  const classes = quantileClasses(present, q.classes);
  const rank = ranks(values.map((v) => v.value));
  const fmt = (x: number) => x.toLocaleString('fr-FR', { maximumFractionDigits: 1 });
  return {
    indicator: def,
    ...edition,
    scope: { epci: q.epci ?? null, name: q.epci ? epcis.find((e) => e.siren === q.epci)!.name : 'Ensemble du territoire' },
    instance: { name: instance.name, value: instance.value, reason: instance.reason },
    epcis: q.epci ? epciValues.filter((e) => e.siren === q.epci) : epciValues,
    communes: communes.map((c, i) => ({ code: c.code, name: c.name, epci_siren: c.epci_siren, ...values[i], rank: rank[i], class_index: classOf(values[i].value, classes) })),
    classes: classes.map((c): LegendClass => ({ ...c, label: c.min === c.max ? `${fmt(c.min)} ${def.unit}` : `${fmt(c.min)} à ${fmt(c.max)} ${def.unit}` })),
    no_data_count: values.filter((v) => v.value === null).length,
  };
}

async function instanceValue(ctx: AppContext, section: PortraitSection['key'], key: string, codes: string[], now: Date, shared: Shared): Promise<Value> {
  // The energy figures are published per commune and per EPCI; the instance's pooled stock has no public figure.
  if (section === 'energy' || section === 'social_housing') return { value: null, reason: 'not_applicable' };
  if (section === 'market') {
    const market = marketOf(ctx);
    const a = await market.territoryIndicators({ period: 'year', types: 'maison,appartement,maison_appartement', method: 'etalab' });
    const last = a.indicators.map((r) => r.period).sort().at(-1);
    const type = key === 'price_m2_apartment' ? 'appartement' : key === 'price_m2_house' ? 'maison' : 'maison_appartement';
    const r = a.indicators.find((x) => x.period === last && x.type === type);
    if (key === 'affordability_ratio') return { value: null, reason: 'not_applicable' };
    if (!r) return { value: null, reason: 'not_loaded' };
    if (r.withheld) return { value: null, reason: 'secrecy' };
    return { value: key === 'sales_count' ? r.sales_count : r.price_m2_median, reason: null };
  }
  const sections = await sectionsOf(ctx, { level: 'epci', code: 'territory', name: 'Ensemble du territoire', communes: codes }, null, now, section, shared);
  return fromFigure(sections[0].figures.find((f) => f.key === key));
}
