// Territory HTTP: the instance's EPCIs and communes, a commune's card, search, and the map's GeoJSON. All public:
// COG figures are public open data.
import { z } from 'zod';
import { communeCard, communeCode, communeSearchAnswer, territoryAnswer, territoryMapAnswer } from './contract.ts';
import type { App } from '../types.ts';
import type { AppContext } from '../../platform/context.ts';
import { notFound } from '../../platform/errors.ts';
import { bboxOf } from './model.ts';
import { findCommune, instanceCommunes, instanceContours, instanceEpcis, searchCommunes } from './store.ts';

const SOURCE_COG = 'INSEE, Code officiel géographique 2026 (@etalab/decoupage-administratif 6.0.0), population municipale';

export function territoryRoutes(app: App, ctx: AppContext) {
  app.get('/api/territory', {
    config: { access: 'public' },
    schema: {
      tags: ['territoire'],
      summary: 'Le territoire de l’instance : ses EPCI et leurs communes',
      response: { 200: territoryAnswer },
    },
    handler: async () => ({ epcis: await instanceEpcis(ctx.db), communes: await instanceCommunes(ctx.db), source: SOURCE_COG }),
  });

  app.get('/api/territory/communes/:code', {
    config: { access: 'public' },
    schema: {
      tags: ['territoire'],
      summary: 'Une commune (avec ses arrondissements municipaux le cas échéant)',
      params: z.object({ code: communeCode }),
      response: { 200: communeCard },
    },
    handler: async (req) => {
      const commune = await findCommune(ctx.db, req.params.code);
      if (!commune) throw notFound(`Commune ${req.params.code}`);
      return commune;
    },
  });

  app.get('/api/territory/search', {
    config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
    schema: {
      tags: ['territoire'],
      summary: 'Chercher une commune par nom, code INSEE ou code postal',
      querystring: z.object({ q: z.string().min(2).max(80) }),
      response: { 200: communeSearchAnswer },
    },
    handler: async (req) => ({ communes: await searchCommunes(ctx.db, req.query.q) }),
  });

  app.get('/api/territory/map', {
    config: { access: 'public' },
    schema: {
      tags: ['territoire'],
      summary: 'Contours des communes du territoire (GeoJSON, WGS84) avec leur population',
      response: { 200: territoryMapAnswer },
    },
    handler: async () => {
      const rows = await instanceContours(ctx.db);
      const drawn = rows.flatMap((r) => (r.geometry ? [{ ...r, geometry: r.geometry }] : []));
      return {
        type: 'FeatureCollection' as const,
        bbox: bboxOf(drawn.map((r) => r.geometry)),
        without_contour: rows.filter((r) => !r.geometry).map((r) => ({ code: r.code, name: r.name })),
        source: 'Contours : IGN Admin Express COG 2018 (simplifiés, france-geojson). Population : ' + SOURCE_COG,
        features: drawn.map((r) => ({
          type: 'Feature' as const,
          properties: { code: r.code, name: r.name, population: r.population, epci: r.epci_siren },
          geometry: r.geometry,
        })),
      };
    },
  });
}
