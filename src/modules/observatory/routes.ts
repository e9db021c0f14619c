// Observatory HTTP, all public: the portrait of a commune or an EPCI (also as a printable sheet), one indicator for
// every commune (ranking and map), the coverage of each source. Thin: validate (contract.ts) → use case → reply.
// The portrait routes live under /api/territory/… as the issue asks (a commune's page is the territory's), but the
// observatory registers them: docs/modules.md says so.
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import type { App } from '../types.ts';
import { communePortraitParams, epciPortraitParams, indicatorAnswer, indicatorParams, indicatorQuery, indicatorsListAnswer, portraitAnswer, type PortraitAnswer } from './contract.ts';
import { sendStored } from '../../platform/http/stored-answer.ts';
import { COMPARABLE_INDICATORS, keptComparisonOf, keptPortraitOf, portrait, preparePortraits } from './portrait.ts';
import { renderSheet, SHEET_MEDIA, sheetFileName, type SheetFormat } from './sheet.ts';

const tags = ['observatoire'];

export function observatoryRoutes(app: App, ctx: AppContext) {
  // Once ready, the parts every first portrait shares are computed ahead (tracked, so the shutdown waits for them).
  let closing = false;
  app.addHook('onReady', async () => app.background(preparePortraits(ctx, () => closing).catch((e: unknown) => ctx.log.warn({ err: e }, 'portraits non préparés'))));
  app.addHook('onClose', async () => {
    closing = true;
    await app.idle();
  });

  app.get('/api/territory/communes/:code/portrait', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Portrait d’une commune : population, marché, construction, logement social, demande, énergie, communes comparables',
      params: communePortraitParams,
      response: { 200: portraitAnswer },
    },
    // Sent as the bytes kept for the versions of its sources (answers.ts): computed once per change of one of them.
    handler: async (req, reply) => sendStored(req, reply, (await keptPortraitOf(ctx, 'commune', req.params.code)).stored),
  });

  app.get('/api/territory/epci/:siren/portrait', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Portrait d’un EPCI : ses communes agrégées (sommes, taux des sommes, médianes recalculées sur les ventes)',
      params: epciPortraitParams,
      response: { 200: portraitAnswer },
    },
    handler: async (req, reply) => sendStored(req, reply, (await keptPortraitOf(ctx, 'epci', req.params.siren)).stored),
  });

  // The printable sheet, PDF and DOCX, of a commune and of an EPCI.
  for (const format of ['pdf', 'docx'] as SheetFormat[]) {
    const summary = `Fiche imprimable (${format.toUpperCase()}) : chiffres clés, deux graphiques et les sources`;
    const send = async (reply: FastifyReply, p: PortraitAnswer) =>
      reply.type(SHEET_MEDIA[format]).header('content-disposition', `attachment; filename="${sheetFileName(p, format)}"`).send(await renderSheet(p, format));
    app.get(`/api/territory/communes/:code/portrait.${format}`, {
      config: { access: 'public' },
      schema: { tags, summary: `${summary} d’une commune`, params: communePortraitParams },
      handler: async (req, reply) => send(reply, await portrait(ctx, 'commune', req.params.code)),
    });
    app.get(`/api/territory/epci/:siren/portrait.${format}`, {
      config: { access: 'public' },
      schema: { tags, summary: `${summary} d’un EPCI`, params: epciPortraitParams },
      handler: async (req, reply) => send(reply, await portrait(ctx, 'epci', req.params.siren)),
    });
  }

  app.get('/api/observatory/indicators', {
    config: { access: 'public' },
    schema: { tags, summary: 'Les indicateurs comparables entre communes (clé, libellé, unité, source)', response: { 200: indicatorsListAnswer } },
    handler: async () => ({ indicators: [...COMPARABLE_INDICATORS] }),
  });

  app.get('/api/observatory/indicators/:indicator', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Un indicateur pour chaque commune (classement, carte), avec la valeur des EPCI et du territoire et les classes de la légende (quantiles)',
      params: indicatorParams,
      querystring: indicatorQuery,
      response: { 200: indicatorAnswer },
    },
    // Kept as bytes like the portraits, for the versions of the sources a portrait reads.
    handler: async (req, reply) => sendStored(req, reply, (await keptComparisonOf(ctx, req.params.indicator, req.query)).stored),
  });
}
