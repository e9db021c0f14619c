// Aids HTTP: public simulators (questions, explained answers, the tables and their sources) and the EPCI's own
// aids, configured by its admins and agents. A simulation stores nothing and returns no one else's data.
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { assertInPerimeter, perimeterFilter } from '../../platform/http/perimeter.ts';
import type { App } from '../types.ts';
import { answerSchema, localAidBody, localAidParams, localAidSchema, simulatorParams, simulatorSchema, tableRowSchema } from './contract.ts';
import { VERIFICATION_LABEL, type LocalAid, type MprTable, type TableInfo, type TableSet, type Verification } from './model.ts';
import {
  checkLocalAid,
  createLocalAid,
  deleteLocalAid,
  epciNames,
  getLocalAid,
  instanceTables,
  listLocalAids,
  updateLocalAid,
  type LocalAidInput,
} from './service.ts';
import { SIMULATORS, simulatorById } from './simulators/index.ts';
import { tables } from './tables.ts';

const STAFF = { roles: ['admin', 'agent'] as ('admin' | 'agent')[] };

export function aidsRoutes(app: App, ctx: AppContext) {
  const base = tables();
  let cached: Promise<TableSet> | undefined;
  const forInstance = () => {
    cached ??= instanceTables(ctx, base).catch((e) => {
      cached = undefined;
      throw e;
    });
    return cached;
  };
  const names = () => epciNames(ctx.db, ctx.config.epciSirens);

  app.get('/api/aids/simulators', {
    config: { access: 'public' },
    schema: {
      tags: ['aids'],
      summary: 'Les simulateurs d’aides et leurs questions',
      response: { 200: z.array(simulatorSchema) },
    },
    handler: async () => {
      const t = await forInstance();
      return SIMULATORS.map((s) => ({ id: s.id, title: s.title, description: s.description, questions: s.questions(t) }));
    },
  });

  for (const s of SIMULATORS) {
    app.post(`/api/aids/simulate/${s.id}`, {
      config: { access: 'public', audit: false },
      schema: {
        tags: ['aids'],
        summary: `Simulation « ${s.title} » : chaque aide, éligible ou non, avec chaque condition et le chiffre comparé`,
        body: s.input,
        response: { 200: answerSchema },
      },
      handler: async (req) => {
        // Nothing from the household is stored or logged: the answer is computed and returned.
        const local = s.id === 'social-housing' ? [] : await listLocalAids(ctx.db, { sirens: ctx.config.epciSirens, activeOnly: true });
        const n = await names();
        return s.simulate(req.body, await forInstance(), local, (siren) => n[siren] ?? `l’EPCI ${siren}`);
      },
    });
  }

  app.get('/api/aids/tables', {
    config: { access: 'public' },
    schema: {
      tags: ['aids'],
      summary: 'Les barèmes utilisés, par dispositif et année, avec leurs sources et leur état de vérification',
      response: {
        200: z.array(tableRowSchema),
      },
    },
    handler: async () => {
      const t = base;
      const row = (
        x: TableInfo & { values?: Record<string, Record<string, number>>; verification_values?: Record<string, Record<string, Verification>> },
        scheme: string,
        year: number | null,
      ) => ({
        file: x.file,
        scheme,
        year,
        verification: x.verification,
        verification_label: VERIFICATION_LABEL[x.verification],
        note: x.verification_note,
        sources: x.sources,
        values: x.values,
        verification_values: x.verification_values,
      });
      // MaPrimeRénov' rows are nested one level deeper (region -> category -> persons): flattened for display.
      const mprRows = (v: MprTable['values']): Record<string, Record<string, number>> =>
        Object.fromEntries(Object.entries(v).flatMap(([region, cats]) => Object.entries(cats).map(([cat, r]) => [`${region} · ${cat}`, r])));
      return [
        ...t.ceilings.map((c) => row(c, c.scheme, c.year)),
        ...t.ptz.map((c) => row(c, c.scheme, c.year)),
        ...t.mpr.map((c) => row({ ...c, values: mprRows(c.values) }, c.scheme, c.year)),
        row(t.dpe, 'DPE et calendrier de location', null),
        row(t.national.info, 'Zonage ABC de toutes les communes', 2024),
        row(t.national.recodedInfo, 'Zonage ABC des communes au code changé depuis', null),
        row(t.national.parisInfo, 'Paris et communes limitrophes (plafonds HLM)', null),
        row(t.demoZoning, 'Communes de démonstration (noms et zones)', null),
      ];
    },
  });

  app.get('/api/aids/local-aids', {
    config: { access: 'public' },
    schema: {
      tags: ['aids'],
      summary: 'Les aides propres des EPCI de l’instance, en vigueur',
      response: { 200: z.array(localAidSchema) },
    },
    handler: async () => listLocalAids(ctx.db, { sirens: ctx.config.epciSirens, activeOnly: true }),
  });

  app.get('/api/aids/local-aids/all', {
    config: { access: STAFF },
    schema: {
      tags: ['aids'],
      summary: 'Toutes les aides propres de son EPCI, y compris inactives (agents et administrateurs)',
      response: { 200: z.array(localAidSchema) },
    },
    handler: async (req) => listLocalAids(ctx.db, { sirens: ctx.config.epciSirens.filter((s) => perimeterFilter(req).epcis.includes(s)) }),
  });

  app.post('/api/aids/local-aids', {
    config: { access: STAFF },
    schema: { tags: ['aids'], summary: 'Créer une aide propre de l’EPCI', body: localAidBody, response: { 201: localAidSchema } },
    handler: async (req, reply) => {
      const body = req.body as LocalAidInput;
      await checkLocalAid(ctx, body);
      assertInPerimeter(req, { epci: body.epci_siren }, 'ecrire');
      const created = await createLocalAid(ctx.db, body, req.principal?.userId);
      return reply.code(201).send(created);
    },
  });

  app.put('/api/aids/local-aids/:id', {
    config: { access: STAFF },
    schema: {
      tags: ['aids'],
      summary: 'Modifier une aide propre de l’EPCI',
      params: localAidParams,
      body: localAidBody,
      response: { 200: localAidSchema },
    },
    handler: async (req) => {
      const body = req.body as LocalAidInput;
      await checkLocalAid(ctx, body);
      const existing = await getLocalAid(ctx.db, req.params.id);
      if (!existing || !ctx.config.epciSirens.includes(existing.epci_siren)) throw notFound('Aide');
      assertInPerimeter(req, { epci: existing.epci_siren }, 'ecrire');
      assertInPerimeter(req, { epci: body.epci_siren }, 'ecrire');
      const updated = await updateLocalAid(ctx.db, req.params.id, body, req.principal?.userId);
      if (!updated) throw notFound('Aide');
      return updated;
    },
  });

  app.delete('/api/aids/local-aids/:id', {
    config: { access: STAFF },
    schema: {
      tags: ['aids'],
      summary: 'Supprimer une aide propre de l’EPCI',
      params: localAidParams,
      response: { 204: z.null() },
    },
    handler: async (req, reply) => {
      const existing: LocalAid | undefined = await getLocalAid(ctx.db, req.params.id);
      if (!existing || !ctx.config.epciSirens.includes(existing.epci_siren)) throw notFound('Aide');
      assertInPerimeter(req, { epci: existing.epci_siren }, 'ecrire');
      await deleteLocalAid(ctx.db, req.params.id);
      return reply.code(204).send(null);
    },
  });

  // Unknown simulators get a French 404 rather than the generic one.
  app.post('/api/aids/simulate/:simulator', {
    config: { access: 'public' },
    schema: {
      tags: ['aids'],
      summary: 'Simulateur inconnu : réponse 404 qui liste les simulateurs existants',
      params: simulatorParams,
    },
    handler: async (req) => {
      if (!simulatorById(req.params.simulator)) {
        throw new AppError('aids.unknown_simulator', `Simulateur « ${req.params.simulator} » introuvable. Simulateurs : ${SIMULATORS.map((s) => s.id).join(', ')}.`, 404);
      }
      throw new AppError('aids.unknown_simulator', 'Simulateur introuvable.', 404);
    },
  });
}
