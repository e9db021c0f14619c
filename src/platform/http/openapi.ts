// The OpenAPI document served at /api/docs/json, made for the tools partners use (client generators, linters):
// OpenAPI 3.1 (JSON Schema 2020-12, so `null` is a type, not a `nullable` flag), an operationId on every operation,
// the session cookie and the API key declared as security schemes and required per operation from its access rule,
// and the problem+json answers (RFC 9457) each operation can give. Checked by Redocly's recommended rules in the tests.
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { describeAccess, type Access } from './access.ts';

/** The API version: bumped when a field or a path changes meaning (see docs/decisions, naming). */
export const API_VERSION = '1.4.0';

const PROBLEM = {
  type: 'object',
  description: 'Erreur au format application/problem+json (RFC 9457), message en français.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string', description: 'Le message pour les personnes, en français.' },
    code: { type: 'string', description: 'Code stable de l’erreur, `<module>.<cause>` (ex. `access.role_refused`, `platform.body_too_large`).' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'Les champs refusés (validation de la requête), chacun avec son message en français.',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
} as const;

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const RESPONSES = {
  BadRequest: problemResponse('Requête invalide : paramètre, corps ou fichier refusé (le détail dit lequel et pourquoi).'),
  Unauthenticated: problemResponse('Connexion requise : pas de session ni de clé d’API valide.'),
  Forbidden: problemResponse('Accès refusé : le rôle ou le périmètre de l’appelant ne le permet pas.'),
  NotFound: problemResponse('Ressource introuvable.'),
  TooManyRequests: problemResponse('Trop de requêtes : réessayer plus tard.'),
};

/** Who may call: the security requirement of an operation (an API key acts as a partner, src/platform/http/access.ts). */
export function securityOf(access: Access | undefined): Record<string, string[]>[] {
  if (!access || access === 'public') return [];
  const keyAllowed = access === 'authenticated' || access.roles.includes('partner');
  return keyAllowed ? [{ session: [] }, { apiKey: [] }] : [{ session: [] }];
}

/** A stable, unique operationId from the method and the path: GET /api/market/communes/:code → getMarketCommunesCode. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .replace(/^\/api\//, '')
    .split(/[/:{}_\-.]+/)
    .filter(Boolean)
    .map((w) => w.normalize('NFD').replace(/[^A-Za-z0-9]/g, ''));
  return method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

type Schema = Record<string, unknown> & { response?: Record<string, unknown>; params?: unknown; security?: unknown };

export function swaggerOptions(): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Habitat Commun — API',
        description:
          'API de la plateforme Habitat Commun. Chaque opération déclare qui peut l’appeler (security, et x-access en clair). ' +
          'Les erreurs suivent application/problem+json (RFC 9457), messages en français. Version 1.4.0 : noms des champs, chemins et paramètres ' +
          'selon la règle de nommage (docs/decisions/0004-naming.md) ; 1.1.0 y ajoute le PLH (aides → aids, foncier → land, bilan → report…) ; ' +
          '1.2.0 le référentiel (livraisons → deliveries, genereLe → generated_at, fraicheur → freshness, partValide → valid_share, ' +
          'rowsTotal → rows_total, ?nom → ?filename, chartes → charters, exemples/valide → examples/valid, fichier → file) ; ' +
          '1.3.0 les aides (simulate/logement-social → simulate/social-housing, simulate/accession → simulate/ownership, ' +
          'simulateur → simulator, aides → aids, revenu_fiscal → reference_tax_income, personnes → persons, statut → status, ' +
          'remplie → met, non_eligible → not_eligible, nom → name, montant_euros → amount_euros, valeurs → values…) ; ' +
          '1.4.0 le territoire (nom → name, codes_postaux → postal_codes, sans_contour → without_contour) et les sources (historique → history, ?limite → ?limit, passages → runs, debut → started_at, fin → ended_at, resultat → result, declenchement → trigger, editeur → publisher, rythme → frequency, canal → channel, charge_le → loaded_at, dernier_passage → last_run ; valeurs importe → imported, inchange → unchanged, echec → failed).',
        version: API_VERSION,
        license: { name: 'Licence Ouverte 2.0 (Etalab) pour les données publiques servies', url: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/' },
      },
      servers: [{ url: '/', description: 'Cette instance' }],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'hc_session', description: 'Session ouverte par POST /api/access/login' },
          apiKey: { type: 'http', scheme: 'bearer', description: 'Clé d’API d’un partenaire (hc_…), créée par « habitat api-key » ou dans Mon espace' },
        },
        schemas: { Problem: PROBLEM as unknown as Record<string, unknown> },
      },
    },
    transform: (args) => {
      const out = jsonSchemaTransform(args);
      const route = args.route as { method: string | string[]; config?: { access?: Access } };
      const schema = out.schema as Schema;
      const access = route.config?.access;
      if (access) schema['x-access'] = describeAccess(access);
      schema.operationId = operationIdOf([route.method].flat()[0], args.url);
      schema.security = securityOf(access);
      const response = (schema.response ??= {});
      // A download (CSV, file) or a stream declares no JSON schema: say at least that it succeeds.
      if (!Object.keys(response).some((code) => code.startsWith('2'))) response['200'] = { description: 'Succès (fichier ou flux : voir le résumé)' };
      const ref = (name: keyof typeof RESPONSES) => RESPONSES[name];
      response['400'] ??= ref('BadRequest');
      if (access && access !== 'public') {
        response['401'] ??= ref('Unauthenticated');
        response['403'] ??= ref('Forbidden');
      }
      if (/[:{]/.test(args.url)) response['404'] ??= ref('NotFound');
      response['429'] ??= ref('TooManyRequests');
      return out;
    },
    transformObject: jsonSchemaTransformObject,
  };
}
