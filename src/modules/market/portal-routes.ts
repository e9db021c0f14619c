// The public price portal's HTTP (issue 4): the map's figures for every commune of the territory, a commune's whole
// page in one answer, and every table of both as CSV or JSON with its method and source. All public: DVF is open
// data; figures from fewer sales than the secrecy threshold are withheld with the reason. Built on the market
// module's indicators (indicators.ts) plus the grouped reads of portal-queries.ts.
import { z } from 'zod';
import type { App } from '../types.ts';
import type { AppContext } from '../../platform/context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { listableSales, protectedArea, type Queryable, type Scope } from './indicators.ts';
import { cellKey, departementOf, protectPooled, protectYears, publicIndicator, type Method, type PropertyType } from './model.ts';
import { isPrimary, protect, type Status } from '../../platform/secrecy.ts';
import {
  INDICATOR_COLUMNS,
  PORTAL_TYPES,
  SALE_KIND_LABELS,
  describeSale,
  describeWindow,
  histogram,
  indicatorCells,
  priceClasses,
  roundCoordinate,
  saleCells,
  saleTypes,
  secrecyNote,
  toCsv,
  yearWindow,
  type Cell,
  type Column,
  type DataTable,
  type PortalType,
  type TableMeta,
  type Window,
} from './portal.ts';
import {
  communeCard,
  communeFigures,
  communeMonthCounts,
  communePrices,
  dataDates,
  instanceTerritory,
  lakeVersion,
  pooledFigures,
  salePoints,
  sectionFigures,
  yearsInLake,
  type GroupFigures,
} from './portal-queries.ts';
import { epciCommunes } from './store.ts';
import { SOURCE_DVF } from './routes.ts';

export const PORTAL_METHOD: Record<Method, string> = {
  habitat:
    'Ventes, ventes en l’état futur d’achèvement et adjudications d’un seul bien (une maison, un appartement ou un local ; dépendances non comptées), prix au m² = prix de vente / surface habitable déclarée, ventes au-delà de 100 000 €/m² écartées ; deux lots d’un même immeuble vendus ensemble ne comptent pas. Médiane : la moitié des ventes s’est faite en dessous, la moitié au-dessus. Terrains à bâtir : ventes sans bâtiment, prix au m² de terrain. Détails : /prix/methode.',
  etalab:
    'Méthode des « Statistiques DVF » de data.gouv.fr : ventes, VEFA et adjudications d’un seul bien, prix au m² = valeur foncière / surface réelle bâtie, inférieur à 100 000 €/m², médianes arrondies à l’euro (moitiés vers le pair).',
};

const TYPE_LABEL: Record<PropertyType, string> = {
  maison: 'Maisons',
  appartement: 'Appartements',
  maison_appartement: 'Maisons et appartements',
  local: 'Locaux d’activité',
  terrain_a_batir: 'Terrains à bâtir',
};

// ---------- schemas ----------

const portalQuery = z.object({
  type: z.enum(PORTAL_TYPES as [PortalType, ...PortalType[]]).default('maison_appartement').describe('maison, appartement ou maison_appartement (les deux)'),
  annee: z.coerce.number().int().min(2000).max(2100).optional().describe('Année (par défaut : la dernière des données)'),
  fenetre: z.enum(['annee', '5ans']).default('annee').describe('annee : l’année choisie ; 5ans : les cinq ans qui finissent avec elle, cumulés'),
  methode: z.enum(['habitat', 'etalab']).default('habitat'),
});
type PortalQs = z.infer<typeof portalQuery>;
const format = z.enum(['csv', 'json']).default('csv').describe('csv (avec méthode et source en lignes de commentaire #) ou json (avec meta)');

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const tableSchema = z.object({
  nom: z.string(),
  meta: z.object({
    titre: z.string(),
    periode: z.string(),
    methode: z.string(),
    source: z.string(),
    donnees_jusqu_au: z.string().nullable().describe('Date de la dernière vente présente dans les données (AAAA-MM-JJ)'),
    importe_le: z.string().nullable(),
    seuil_secret: z.number(),
    secret_statistique: z.string(),
  }),
  colonnes: z.array(z.object({ cle: z.string(), libelle: z.string(), unite: z.string().optional() })),
  lignes: z.array(z.record(z.string(), cell)),
});

const classSchema = z.object({ min: z.number(), max: z.number().nullable().describe('null : classe ouverte'), color: z.string(), label: z.string() });

const mapResponse = z.object({
  annees: z.array(z.number()),
  annee: z.number().nullable(),
  type: z.string(),
  fenetre: z.string(),
  periode: z.string(),
  epcis: z.array(z.object({ siren: z.string(), nom: z.string() })),
  classes: z.array(classSchema),
  tableau: tableSchema,
});

export const COMMUNE_TABLES = ['serie_annuelle', 'serie_mensuelle', 'distribution', 'volumes', 'terrains', 'comparaison', 'sections', 'ventes'] as const;
export type CommuneTable = (typeof COMMUNE_TABLES)[number];

const communeResponse = z.object({
  commune: z.object({
    code: z.string(),
    nom: z.string(),
    departement_code: z.string().nullable(),
    departement_nom: z.string().nullable(),
    epci_siren: z.string().nullable(),
    epci_nom: z.string().nullable(),
    codes_postaux: z.array(z.string()),
  }),
  annees: z.array(z.number()),
  annee: z.number().nullable(),
  type: z.string(),
  fenetre: z.string(),
  periode: z.string(),
  tableaux: z.object(Object.fromEntries(COMMUNE_TABLES.map((t) => [t, tableSchema])) as Record<CommuneTable, typeof tableSchema>),
});

const COMMUNE = /^[0-9][0-9AB][0-9]{3}$/;

// ---------- building the tables ----------

const PLACE_COLUMNS: Column[] = [
  { cle: 'code', libelle: 'Code INSEE' },
  { cle: 'nom', libelle: 'Commune' },
];

/** A group's figures as published, given the status its table gave it (no sales at all: withheld, nothing to show). */
function secretFigures(f: GroupFigures | undefined, code: string, periode: string, type: PropertyType, seuil: number, status: Status) {
  if (!f) return indicatorCells(publicIndicator({ code, periode, type, nb_ventes: 0, prix_m2_q1: 0, prix_m2_median: 0, prix_m2_q3: 0, prix_median: 0 }, 'primary', seuil));
  return indicatorCells(publicIndicator({ ...f, code, periode, type }, isPrimary(f.nb_ventes, seuil) ? 'primary' : status, seuil));
}

const range = (w: { debut: number; fin: number }) => Array.from({ length: w.fin - w.debut + 1 }, (_, i) => w.debut + i);

/** The status of an area's figure of one type over a window: the year's own, or the pooled one (model.ts). */
function windowStatus(area: { counts: Map<string, number>; status: Map<string, Status> }, type: PropertyType, win: { debut: number; fin: number }, seuil: number): Status {
  if (win.debut === win.fin) return area.status.get(cellKey(type, String(win.debut))) ?? 'published';
  return protectPooled(area.counts, area.status, range(win), seuil)[type];
}

/** Small bounded cache of answers, dropped whenever an import changes the lake. */
class AnswerCache {
  private version = '';
  private entries = new Map<string, Promise<unknown>>();
  constructor(private readonly lakeDir: string, private readonly max = 300) {}
  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const v = lakeVersion(this.lakeDir);
    if (v !== this.version) {
      this.version = v;
      this.entries.clear();
    }
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key); // re-insert: the Map's order is the recency order
      this.entries.set(key, hit);
      return hit as Promise<T>;
    }
    const p = compute();
    this.entries.set(key, p);
    p.catch(() => this.entries.delete(key));
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return p;
  }
}

/**
 * A reader over a few DuckDB connections of the lake's instance, so one page's independent reads run side by side
 * (the platform's shared connection runs one query at a time).
 */
async function connectionPool(ctx: AppContext, size: number): Promise<{ reader: Queryable & { dir: string }; close(): void }> {
  const conns = await Promise.all(Array.from({ length: size }, () => ctx.lake.connect()));
  let next = 0;
  return {
    reader: {
      dir: ctx.lake.dir,
      async query<T>(text: string, params?: Record<string, unknown> | unknown[]): Promise<T[]> {
        const conn = conns[next++ % conns.length];
        const rows = (await conn.runAndReadAll(text, params as any)).getRowObjectsJS();
        return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]))) as T[];
      },
    },
    close: () => conns.forEach((c) => c.closeSync()),
  };
}

export async function portalRoutes(app: App, ctx: AppContext) {
  const cache = new AnswerCache(ctx.lake.dir);
  const pool = await connectionPool(ctx, 3);
  app.addHook('onClose', async () => pool.close());
  const lake = pool.reader;
  const seuil = () => ctx.config.secrecyMinCount;

  type Dates = Awaited<ReturnType<typeof dataDates>>;
  const metaFor = (dates: Dates, titre: string, periode: string, methode: Method): TableMeta => ({
    titre,
    periode,
    methode: PORTAL_METHOD[methode],
    source: SOURCE_DVF,
    ...dates,
    seuil_secret: seuil(),
    secret_statistique: secrecyNote(seuil()),
  });

  async function mapAnswer(qs: PortalQs) {
    const territory = await instanceTerritory(ctx.db);
    const communes = territory.flatMap((e) => e.communes.map((c) => ({ ...c, epci_siren: e.siren, epci: e.nom })));
    const deps = [...new Set(communes.map((c) => departementOf(c.code)))];
    const annees = yearsInLake(ctx.lake.dir, deps);
    const annee = qs.annee ?? annees[0] ?? null;
    const fenetre = qs.fenetre as Window;
    const periode = annee === null ? 'aucune donnée' : describeWindow(annee, fenetre);
    const figures =
      annee === null
        ? []
        : await communeFigures(lake, { communes: communes.map((c) => c.code), type: qs.type, ...yearWindow(annee, fenetre), methode: qs.methode });
    const byCode = new Map(figures.map((f) => [f.code, f]));
    // Each commune's figure gets the secrecy its own page and routes give it: its year's table of months and types.
    const win = annee === null ? { debut: 0, fin: 0 } : yearWindow(annee, fenetre);
    const monthCounts = annee === null ? new Map() : await communeMonthCounts(lake, { communes: communes.map((c) => c.code), ...win, methode: qs.methode });
    const statusOf = (code: string): Status => {
      const counts = monthCounts.get(code) ?? new Map<string, number>();
      return windowStatus({ counts, status: protectYears(counts, range(win), seuil()) }, qs.type, win, seuil());
    };
    const lignes: Record<string, Cell>[] = communes.map((c) => ({
      code: c.code,
      nom: c.nom,
      epci_siren: c.epci_siren,
      epci: c.epci,
      ...(byCode.has(c.code)
        ? secretFigures(byCode.get(c.code), c.code, periode, qs.type, seuil(), statusOf(c.code))
        : { ...secretFigures(undefined, c.code, periode, qs.type, seuil(), 'primary'), raison: 'Aucune vente retenue dans les données.' }),
    }));
    const published = lignes.filter((l) => l.secret === false).map((l) => l.prix_m2_median as number);
    const tableau: DataTable = {
      nom: 'carte',
      meta: metaFor(await dataDates(lake, deps), `Prix au m² médian par commune — ${TYPE_LABEL[qs.type]}, ${periode}`, periode, qs.methode),
      colonnes: [...PLACE_COLUMNS, { cle: 'epci_siren', libelle: 'SIREN de l’intercommunalité' }, { cle: 'epci', libelle: 'Intercommunalité' }, ...INDICATOR_COLUMNS],
      lignes,
    };
    return {
      annees,
      annee,
      type: qs.type,
      fenetre,
      periode,
      epcis: territory.map((e) => ({ siren: e.siren, nom: e.nom })),
      classes: priceClasses(published).map((c) => ({ ...c, max: Number.isFinite(c.max) ? c.max : null })),
      tableau,
    };
  }

  async function communeAnswer(code: string, qs: PortalQs) {
    const card = await communeCard(ctx.db, code);
    if (!card) throw notFound(`Commune ${code}`);
    const dep = departementOf(code);
    const annees = yearsInLake(ctx.lake.dir, [dep]);
    const annee = qs.annee ?? annees[0] ?? null;
    const fenetre = qs.fenetre as Window;
    const methode = qs.methode as Method;
    const periode = annee === null ? 'aucune donnée' : describeWindow(annee, fenetre);
    const win = annee === null ? { debut: 0, fin: 0 } : yearWindow(annee, fenetre);
    const toutes = annees.length ? `${annees.at(-1)} à ${annees[0]}` : 'aucune donnée';
    const s = seuil();
    const area = (c: string[] | null) => (c ? { communes: c } : { departement: dep });
    const epci = card.epci_siren ? await epciCommunes(ctx.db, card.epci_siren) : undefined;
    const comparisons: { niveau: string; code: string; nom: string; communes: string[] | null; scope: Scope }[] = [
      { niveau: 'Commune', code, nom: card.nom, communes: [code], scope: { niveau: 'commune', code } },
      ...(epci ? [{ niveau: 'Intercommunalité', code: card.epci_siren!, nom: epci.nom, communes: epci.communes, scope: { niveau: 'epci' as const, code: card.epci_siren!, communes: epci.communes } }] : []),
      { niveau: 'Département', code: dep, nom: card.departement_nom ?? dep, communes: null, scope: { niveau: 'departement', code: dep } },
    ];
    const other: Method = methode === 'habitat' ? 'etalab' : 'habitat';
    // The lake reads are independent: they run together, over the portal's own DuckDB connections.
    const [dates, own, ownOther, prices, compared, comparedAreas, sectionsByType] = await Promise.all([
      dataDates(lake, [dep]),
      // Every year, month and type of the commune, protected together (model.ts protectYears): the series, the
      // volumes and the comparison's commune line all take their secrecy from it, as the indicator routes do.
      protectedArea(lake, { scope: { niveau: 'commune', code }, methode }, s),
      protectedArea(lake, { scope: { niveau: 'commune', code }, methode: other }, s),
      annee === null ? [] : communePrices(lake, { commune: code, type: qs.type, ...win, methode }),
      Promise.all(comparisons.map((c) => (annee === null ? undefined : pooledFigures(lake, { ...area(c.communes), type: qs.type, ...win, methode })))),
      Promise.all(comparisons.slice(1).map((c) => (annee === null ? undefined : protectedArea(lake, { scope: c.scope, methode, ...win }, s)))),
      Promise.all(PORTAL_TYPES.map((t) => (annee === null ? [] : sectionFigures(lake, { commune: code, type: t, ...win, methode })))),
    ]);
    const meta = (titre: string, p: string) => metaFor(dates, `${titre} — ${card.nom} (${code})`, p, methode);
    const areas = [own, ...comparedAreas];
    const statusIn = (i: number, type: PropertyType): Status => (annee === null || !areas[i] ? 'primary' : windowStatus(areas[i]!, type, win, s));
    const communeStatus = statusIn(0, qs.type);

    // Sections: a table whose total is the commune's line of the comparison. Its secrecy is decided with that
    // total's status fixed, for each type, so that the list of sales below can leave out the withheld sections.
    const sectionStatus = PORTAL_TYPES.map((t, ti) => {
      const rows = sectionsByType[ti];
      const total = rows.reduce((n, f) => n + f.nb_ventes, 0);
      const st = protect([...rows.map((f) => f.nb_ventes), total], [{ total: rows.length, parts: rows.map((_, i) => i) }], {
        min: s,
        known: [...rows.map(() => undefined), statusIn(0, t)],
      });
      return new Map(rows.map((f, i) => [f.code, st[i]]));
    });
    const sectionRows = sectionsByType[PORTAL_TYPES.indexOf(qs.type)];

    // The latest sales, without those counted in a withheld figure: a year, a month (by either method) or, in the
    // chosen window, a section.
    const withheldCell = (k: string) => [own, ownOther].some((a) => (a.status.get(k) ?? 'published') !== 'published');
    const inWindow = (v: { date_mutation: string }) => annee !== null && Number(v.date_mutation.slice(0, 4)) >= win.debut && Number(v.date_mutation.slice(0, 4)) <= win.fin;
    const sales = await listableSales(lake, code, 30, (v) =>
      saleCells(v).some(withheldCell) || (inWindow(v) && saleTypes(v).some((t) => (sectionStatus[PORTAL_TYPES.indexOf(t)].get(v.section) ?? 'published') !== 'published')),
    );
    const points = await salePoints(lake, code, sales.map((v) => v.id_mutation));

    const yearly = own.yearly.map((r) => publicIndicator(r, own.status.get(cellKey(r.type, r.periode)) ?? 'primary', s));
    const monthly = own.monthly.filter((r) => r.type === qs.type).map((r) => publicIndicator(r, own.status.get(cellKey(r.type, r.periode)) ?? 'primary', s));
    const typed = (i: { type: PropertyType; periode: string }) => ({ periode: i.periode, type: i.type, type_libelle: TYPE_LABEL[i.type] });
    const seriesColumns: Column[] = [
      { cle: 'periode', libelle: 'Période' },
      { cle: 'type', libelle: 'Type de bien (code)' },
      { cle: 'type_libelle', libelle: 'Type de bien' },
      ...INDICATOR_COLUMNS,
    ];

    const serie_annuelle: DataTable = {
      nom: 'serie_annuelle',
      meta: meta('Prix au m² par année', toutes),
      colonnes: seriesColumns,
      lignes: yearly.filter((i) => PORTAL_TYPES.includes(i.type as PortalType)).map((i) => ({ ...typed(i), ...indicatorCells(i) })),
    };
    const serie_mensuelle: DataTable = {
      nom: 'serie_mensuelle',
      meta: meta(`Prix au m² par mois — ${TYPE_LABEL[qs.type]}`, toutes),
      colonnes: seriesColumns,
      lignes: monthly.map((i) => ({ ...typed(i), ...indicatorCells(i) })),
    };
    const terrains: DataTable = {
      nom: 'terrains',
      meta: meta('Prix des terrains à bâtir par année (€/m² de terrain)', toutes),
      colonnes: seriesColumns,
      lignes: yearly.filter((i) => i.type === 'terrain_a_batir').map((i) => ({ ...typed(i), ...indicatorCells(i) })),
    };
    const volumes: DataTable = {
      nom: 'volumes',
      meta: meta('Nombre de ventes d’un seul bien par type et par année', toutes),
      colonnes: [
        { cle: 'periode', libelle: 'Année' },
        { cle: 'type', libelle: 'Type de bien (code)' },
        { cle: 'type_libelle', libelle: 'Type de bien' },
        { cle: 'secret', libelle: 'Chiffre non publié (secret statistique)' },
        { cle: 'nb_ventes', libelle: 'Nombre de ventes', unite: 'ventes' },
      ],
      lignes: yearly
        .filter((i) => i.type !== 'maison_appartement')
        .map((i) => ({ ...typed(i), secret: i.secret, nb_ventes: i.secret ? null : i.nb_ventes })),
    };

    // The chosen type and period: distribution, comparison, sections.
    const distribution: DataTable = {
      nom: 'distribution',
      meta: meta(`Répartition des prix au m² — ${TYPE_LABEL[qs.type]}`, periode),
      colonnes: [
        { cle: 'prix_m2_min', libelle: 'De (inclus)', unite: '€/m²' },
        { cle: 'prix_m2_max', libelle: 'À (exclu)', unite: '€/m²' },
        { cle: 'nb_ventes', libelle: 'Nombre de ventes', unite: 'ventes' },
      ],
      // Withheld as a whole when the commune's figure is: the bins add up to it.
      lignes: prices.length >= s && communeStatus === 'published' ? histogram(prices).map((b) => ({ prix_m2_min: b.min, prix_m2_max: b.max, nb_ventes: b.nb_ventes })) : [],
    };
    if (prices.length < s) distribution.meta.titre += ` — non publiée : ${prices.length ? `moins de ${s} ventes` : 'aucune vente'}`;
    else if (communeStatus !== 'published') distribution.meta.titre += ' — non publiée : secret statistique secondaire';

    const comparaison: DataTable = {
      nom: 'comparaison',
      meta: meta(`Comparaison avec l’intercommunalité et le département — ${TYPE_LABEL[qs.type]}`, periode),
      colonnes: [{ cle: 'niveau', libelle: 'Niveau' }, { cle: 'code', libelle: 'Code' }, { cle: 'nom', libelle: 'Nom' }, ...INDICATOR_COLUMNS],
      lignes: comparisons.map((c, i) => ({ niveau: c.niveau, code: c.code, nom: c.nom, ...secretFigures(compared[i], c.code, periode, qs.type, s, statusIn(i, qs.type)) })),
    };

    const sections: DataTable = {
      nom: 'sections',
      meta: meta(`Prix au m² par section cadastrale — ${TYPE_LABEL[qs.type]}`, periode),
      colonnes: [{ cle: 'section', libelle: 'Section cadastrale' }, ...INDICATOR_COLUMNS],
      lignes: sectionRows.map((f) => ({ section: f.code, ...secretFigures(f, f.code, periode, qs.type, s, sectionStatus[PORTAL_TYPES.indexOf(qs.type)].get(f.code)!) })),
    };

    const ventes: DataTable = {
      nom: 'ventes',
      meta: meta('Dernières ventes (une ligne par vente, sans adresse ; position arrondie à 100 m environ)', toutes),
      colonnes: [
        { cle: 'date', libelle: 'Date de la vente' },
        { cle: 'type', libelle: 'Bien vendu' },
        { cle: 'surface', libelle: 'Surface habitable', unite: 'm²' },
        { cle: 'pieces', libelle: 'Pièces principales' },
        { cle: 'surface_terrain', libelle: 'Surface de terrain', unite: 'm²' },
        { cle: 'prix', libelle: 'Prix de vente', unite: '€' },
        { cle: 'prix_m2', libelle: 'Prix au m² (vente d’un seul logement)', unite: '€/m²' },
        { cle: 'section', libelle: 'Section cadastrale' },
        { cle: 'longitude', libelle: 'Longitude (arrondie)', unite: '°' },
        { cle: 'latitude', libelle: 'Latitude (arrondie)', unite: '°' },
      ],
      lignes: sales.map((v) => {
        const d = describeSale(v);
        const p = points.get(v.id_mutation);
        return {
          date: v.date_mutation,
          type: SALE_KIND_LABELS[d.type],
          surface: v.surface_reelle_bati,
          pieces: v.nombre_pieces_principales,
          surface_terrain: v.surface_terrain,
          prix: v.valeur_fonciere,
          prix_m2: d.prix_m2,
          section: v.section,
          longitude: roundCoordinate(p?.lon ?? null),
          latitude: roundCoordinate(p?.lat ?? null),
        };
      }),
    };

    return {
      commune: { code: card.code, nom: card.nom, departement_code: card.departement_code, departement_nom: card.departement_nom, epci_siren: card.epci_siren, epci_nom: card.epci_nom, codes_postaux: card.codes_postaux },
      annees,
      annee,
      type: qs.type,
      fenetre,
      periode,
      tableaux: { serie_annuelle, serie_mensuelle, distribution, volumes, terrains, comparaison, sections, ventes },
    };
  }

  const cachedMap = (qs: PortalQs) => cache.get(`carte|${JSON.stringify(qs)}`, () => mapAnswer(qs));
  const cachedCommune = (code: string, qs: PortalQs) => cache.get(`commune|${code}|${JSON.stringify(qs)}`, () => communeAnswer(code, qs));

  const download = (reply: any, t: DataTable, name: string, fmt: 'csv' | 'json') => {
    reply.header('content-disposition', `attachment; filename="${name}.${fmt}"`);
    if (fmt === 'json') return reply.type('application/json; charset=utf-8').send(JSON.stringify(t));
    return reply.type('text/csv; charset=utf-8').send(toCsv(t));
  };
  const slug = (qs: PortalQs, annee: number | null) => `${annee ?? 'sans-donnees'}${qs.fenetre === '5ans' ? '-5ans' : ''}-${qs.type}`;

  app.get('/api/market/portail/carte', {
    config: { access: 'public' },
    schema: {
      tags: ['marché', 'portail des prix'],
      summary: 'Carte des prix : prix au m² médian de chaque commune du territoire, classes de la légende, secret statistique',
      querystring: portalQuery,
      response: { 200: mapResponse },
    },
    handler: async (req) => cachedMap(req.query),
  });

  app.get('/api/market/portail/carte/telechargement', {
    config: { access: 'public' },
    schema: {
      tags: ['marché', 'portail des prix'],
      summary: 'Télécharger le tableau de la carte des prix (CSV ou JSON, avec méthode et source)',
      querystring: portalQuery.extend({ format }),
      produces: ['text/csv', 'application/json'],
    },
    handler: async (req, reply) => {
      const answer = await cachedMap(req.query);
      return download(reply, answer.tableau, `prix-communes-${slug(req.query, answer.annee)}`, req.query.format);
    },
  });

  app.get('/api/market/portail/communes/:code', {
    config: { access: 'public' },
    schema: {
      tags: ['marché', 'portail des prix'],
      summary: 'Page d’une commune : séries annuelle et mensuelle, répartition, volumes, terrains, comparaison, sections, dernières ventes',
      params: z.object({ code: z.string().regex(COMMUNE, 'Code INSEE de commune sur 5 caractères') }),
      querystring: portalQuery,
      response: { 200: communeResponse },
    },
    handler: async (req, reply) => {
      reply.header('X-Robots-Tag', 'noindex, nofollow'); // it carries sale rows: DVF's terms forbid indexing them
      return cachedCommune(req.params.code, req.query);
    },
  });

  app.get('/api/market/portail/communes/:code/telechargement/:tableau', {
    config: { access: 'public' },
    schema: {
      tags: ['marché', 'portail des prix'],
      summary: 'Télécharger un tableau de la page d’une commune (CSV ou JSON, avec méthode et source)',
      params: z.object({
        code: z.string().regex(COMMUNE, 'Code INSEE de commune sur 5 caractères'),
        tableau: z.enum(COMMUNE_TABLES).describe(`Tableau : ${COMMUNE_TABLES.join(', ')}`),
      }),
      querystring: portalQuery.extend({ format }),
      produces: ['text/csv', 'application/json'],
    },
    handler: async (req, reply) => {
      const answer = await cachedCommune(req.params.code, req.query);
      const t = answer.tableaux[req.params.tableau];
      if (!t) throw new AppError('tableau_inconnu', `Tableau inconnu : ${req.params.tableau}.`, 404);
      reply.header('X-Robots-Tag', 'noindex, nofollow');
      return download(reply, t, `prix-${req.params.code}-${req.params.tableau}-${slug(req.query, answer.annee)}`, req.query.format);
    },
  });
}
