// Referential HTTP: the published schemas and charters (public), deliveries by partners (upload or raw body, API key
// or session), their reports, and the compliance dashboard's data.
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { assertOwnOrganisation, isEpciStaff, requirePrincipal } from '../../platform/http/access.ts';
import { communesOf, describePerimeter, perimeterFilter, perimeterOfRequest, perimeterRefused } from '../../platform/http/perimeter.ts';
import { findOrganisation, sharedBy } from '../access/index.ts';
import type { App } from '../types.ts';
import { exampleFile, findSchema, type Catalogue } from './catalogue.ts';
import { tableSchemaZ } from './schema.ts';
import { chartersZ } from './compliance.ts';
import { clubComplianceAnswer, complianceAnswer, deliveriesAnswer, deliveryAnswer, schemaListAnswer } from './contract.ts';
import { acceptDelivery, clubCompliance, compliance, deliveryAnswerOf, deliveryJson } from './service.ts';
import * as store from './store.ts';

const TAG = 'référentiel';
const MAX_FILE = 50 * 1024 * 1024;
// The API path says valid/invalid; the files of each schema's exemples/ folder keep their French names.
const EXAMPLE_FILES = { valid: 'valide', invalid: 'invalide' } as const;
const schemaName = z.string().regex(/^[a-z0-9-]+$/, 'nom de schéma en minuscules et tirets');

export async function referentialRoutes(app: App, ctx: AppContext, cat: Catalogue): Promise<void> {
  app.get('/api/referential/schemas', {
    config: { access: 'public' },
    schema: {
      tags: [TAG],
      summary: 'Les schémas de données publiés par l’EPCI (dernière version de chacun)',
      response: { 200: schemaListAnswer },
    },
    handler: async () => ({
      schemas: [...cat.schemas.values()].map((versions) => {
        const s = versions[0].schema;
        return {
          name: s.name,
          title: s.title,
          description: s.description,
          version: s.version,
          versions: versions.map((v) => v.schema.version),
          policy: s['x-habitat'].politique,
          producers: s['x-habitat'].producteurs,
          field_count: s.fields.length,
        };
      }),
    }),
  });

  app.get('/api/referential/schemas/:name', {
    config: { access: 'public' },
    schema: {
      tags: [TAG],
      summary: 'Un schéma au format Table Schema (dernière version, ou celle demandée)',
      params: z.object({ name: schemaName }),
      querystring: z.object({ version: z.string().max(20).optional() }),
      response: { 200: tableSchemaZ },
    },
    handler: async (req) => findSchema(cat, req.params.name, req.query.version).schema,
  });

  app.get('/api/referential/schemas/:name/examples/:which', {
    config: { access: 'public' },
    schema: {
      tags: [TAG],
      summary: 'Le fichier d’exemple valide ou invalide d’un schéma (CSV)',
      params: z.object({ name: schemaName, which: z.enum(['valid', 'invalid']) }),
      querystring: z.object({ version: z.string().max(20).optional() }),
    },
    handler: async (req, reply) => {
      const entry = findSchema(cat, req.params.name, req.query.version);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${entry.schema.name}-${entry.schema.version}-${EXAMPLE_FILES[req.params.which]}.csv"`)
        .send(exampleFile(entry, EXAMPLE_FILES[req.params.which]));
    },
  });

  app.get('/api/referential/charters', {
    config: { access: 'public' },
    schema: { tags: [TAG], summary: 'Les chartes : ce que chaque type de partenaire doit livrer, à quelle fréquence', response: { 200: chartersZ } },
    handler: async () => cat.charters,
  });

  // Deliveries take the file as it is: multipart upload from the web, or the raw body from an API client.
  // Their own scope, so that JSON and text bodies reach the handler as bytes instead of being parsed.
  await app.register(async (scope: FastifyInstance) => {
    await scope.register(multipart, { limits: { fileSize: MAX_FILE, files: 1, fields: 5 } });
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_FILE }, (_req, body, done) => done(null, body));
    deliveryRoute(scope.withTypeProvider<ZodTypeProvider>(), ctx, cat);
  });

  app.get('/api/referential/deliveries', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Les livraisons (un partenaire ne voit que les siennes)',
      querystring: z.object({
        schema: schemaName.optional(),
        organisation: z.uuid().optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      response: { 200: deliveriesAnswer },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      if (req.query.organisation) assertOwnOrganisation(req, req.query.organisation);
      const organisationId = isEpciStaff(p) ? req.query.organisation : p.organisationId;
      // An EPCI's staff see the deliveries of the organisations of its perimeter (its partners, its communes).
      const organisationIds = isEpciStaff(p) ? p.perimeter.organisations : undefined;
      const list = await store.listDeliveries(ctx.db, { organisationId, organisationIds, schemaName: req.query.schema, limit: req.query.limit });
      return { deliveries: list.map(deliveryJson) };
    },
  });

  app.get('/api/referential/deliveries/:id', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Une livraison et son rapport de validation',
      params: z.object({ id: z.uuid() }),
      response: { 200: deliveryAnswer },
    },
    handler: async (req) => {
      const found = await store.getDelivery(ctx.db, req.params.id);
      if (!found) throw notFound('Livraison');
      assertOwnOrganisation(req, found.delivery.organisationId);
      return deliveryAnswerOf(found.delivery, found.report);
    },
  });

  app.get('/api/referential/deliveries/:id/file', {
    config: { access: 'authenticated' },
    schema: { tags: [TAG], summary: 'Le fichier d’une livraison, tel que reçu', params: z.object({ id: z.uuid() }) },
    handler: async (req, reply) => {
      const found = await store.getDeliveryContent(ctx.db, req.params.id);
      if (!found) throw notFound('Livraison');
      assertOwnOrganisation(req, found.organisationId);
      const name = (found.filename ?? `livraison-${req.params.id}`).replace(/["\\\r\n]/g, '_');
      return reply
        .type(found.mediaType && !found.mediaType.includes('multipart') ? found.mediaType : 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${encodeURIComponent(name)}"`)
        .send(found.content);
    },
  });

  app.get('/api/referential/compliance', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Conformité à leur charte des partenaires de son EPCI (la sienne pour un partenaire) : dernière livraison, fraîcheur, part de lignes valides, tendance',
      response: { 200: complianceAnswer },
    },
    handler: async (req) => {
      const p = requirePrincipal(req);
      const now = new Date();
      return {
        generated_at: now.toISOString(),
        partners: await compliance(ctx.db, cat, now, isEpciStaff(p) ? undefined : p.organisationId, p.perimeter.organisations),
      };
    },
  });

  app.get('/api/referential/compliance/club', {
    config: { access: 'authenticated' },
    schema: {
      tags: [TAG],
      summary: 'Comparaison du club : la conformité des partenaires de chaque EPCI qui la partage (et celle de son propre EPCI)',
      response: { 200: clubComplianceAnswer },
    },
    handler: async (req) => {
      const p = perimeterOfRequest(req);
      const now = new Date();
      const shared = new Set(await sharedBy(ctx.db, 'conformite_referentiel'));
      // An EPCI's figures are shown when it shares them with the club, and to its own staff.
      const out = await clubCompliance(ctx.db, cat, now, (siren) => shared.has(siren) || (p.kind === 'epci' && p.epci === siren));
      return { generated_at: now.toISOString(), epcis: out };
    },
  });
}

function deliveryRoute(app: App, ctx: AppContext, cat: Catalogue) {
  app.post('/api/referential/schemas/:schema/deliveries', {
    config: { access: { roles: ['partner', 'agent', 'admin'] } },
    schema: {
      tags: [TAG],
      summary: 'Livrer un fichier (CSV « , » ou « ; », UTF-8 ou Latin-1, ou JSON) : envoi de formulaire (multipart) ou corps brut',
      description:
        'La livraison est faite au nom de l’organisation de l’appelant. Un agent de l’EPCI peut livrer au nom d’un partenaire avec le paramètre organisation. ' +
        'L’en-tête Idempotency-Key, ou un fichier identique, renvoie la livraison déjà reçue (200) au lieu d’en créer une autre (201).',
      params: z.object({ schema: schemaName }),
      querystring: z.object({
        version: z.string().max(20).optional(),
        organisation: z.uuid().optional(),
        filename: z.string().max(200).optional(),
      }),
      headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }).passthrough(),
      response: { 200: deliveryAnswer, 201: deliveryAnswer },
    },
    bodyLimit: MAX_FILE, // the file itself (multipart or raw body)
    handler: async (req, reply) => {
      const p = requirePrincipal(req);
      const entry = findSchema(cat, req.params.schema, req.query.version);
      let organisationId = p.organisationId;
      const onBehalf = !!req.query.organisation && req.query.organisation !== p.organisationId;
      if (onBehalf) {
        if (!isEpciStaff(p) || p.role === 'readonly') throw forbidden('Un partenaire ne peut livrer que pour sa propre organisation.');
        organisationId = req.query.organisation!;
      }
      const org = await findOrganisation(ctx.db, organisationId);
      if (!org) throw notFound('Organisation');
      // An agent delivers for the organisations of its EPCI only; rows must be of the communes of the perimeter.
      if (onBehalf) assertOwnOrganisation(req, organisationId);
      const communes = new Set(communesOf(p.perimeter));
      if (!communes.size)
        throw perimeterRefused(
          `Votre organisation n’est rattachée à aucun EPCI de l’instance (${describePerimeter(p.perimeter)}) : demandez à l’administrateur de l’EPCI avec lequel vous travaillez de la rattacher.`,
        );
      if (onBehalf) req.auditEpci = p.perimeter.epci;
      else {
        const epcis = perimeterFilter(req).epcis;
        if (epcis.length === 1) req.auditEpci = epcis[0];
      }
      const producers = entry.schema['x-habitat'].producteurs;
      if (producers.length && !producers.includes(org.kind))
        throw new AppError(
          'referential.not_a_producer',
          `Le flux « ${entry.schema.title} » est livré par : ${producers.join(', ')}. L’organisation « ${org.name} » (${org.kind}) n’en fait pas partie.` +
            (org.kind === 'epci' ? ' Pour livrer au nom d’un partenaire, indiquez son identifiant (paramètre organisation).' : ''),
          403,
        );

      let bytes: Buffer;
      let filename = req.query.filename;
      let mediaType = req.headers['content-type'];
      if (req.isMultipart()) {
        const file = await req.file();
        if (!file) throw new AppError('referential.no_file', 'Aucun fichier reçu : joignez le fichier à livrer.', 400);
        bytes = await file.toBuffer();
        filename = file.filename || filename;
        mediaType = file.mimetype;
      } else {
        bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      }
      if (!bytes.length) throw new AppError('referential.no_file', 'Aucun fichier reçu : le corps de la requête est vide.', 400);

      const result = await acceptDelivery(ctx.db, {
        organisationId,
        entry,
        bytes,
        filename,
        mediaType,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        sentByUserId: p.userId,
        sentByApiKeyId: p.apiKeyId,
        onBehalf,
        communes,
        producerSiren: org.siren ?? null,
      });
      return reply
        .code(result.created ? 201 : 200)
        .header('location', `/api/referential/deliveries/${result.delivery.id}`)
        .send(deliveryAnswerOf(result.delivery, result.report));
    },
  });
}
