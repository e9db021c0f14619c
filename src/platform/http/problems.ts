// Errors as application/problem+json (RFC 9457) with French messages for people.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  /** The fields a request was refused for (a schema validation), each with its French message. */
  errors?: { field: string; message: string }[];
  details?: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Requête invalide',
  401: 'Connexion requise',
  403: 'Accès refusé',
  404: 'Introuvable',
  408: 'Délai dépassé',
  409: 'Conflit',
  413: 'Contenu trop volumineux',
  414: 'Adresse trop longue',
  415: 'Format non pris en charge',
  422: 'Données invalides',
  429: 'Trop de requêtes',
  431: 'En-têtes trop longs',
  500: 'Erreur interne',
};
const DETAILS: Record<number, string> = {
  413: 'Le contenu envoyé dépasse la taille autorisée.',
  415: 'Le format du contenu envoyé n’est pas pris en charge (Content-Type).',
  429: 'Trop de requêtes en peu de temps. Réessayez dans une minute.',
};
// Fastify's and @fastify/multipart's own refusals, said in French.
const FASTIFY_DETAILS: Record<string, string> = {
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'La longueur annoncée du contenu (Content-Length) ne correspond pas à ce qui a été reçu.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Le corps de la requête est vide alors que son type (Content-Type) annonce du JSON.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Le corps de la requête n’est pas un JSON valide.',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'La requête n’est pas un envoi de formulaire (multipart/form-data).',
  FST_FILES_LIMIT: 'Un seul fichier par envoi.',
  FST_FIELDS_LIMIT: 'Trop de champs dans le formulaire envoyé.',
  FST_PARTS_LIMIT: 'Trop de parties dans le formulaire envoyé.',
};
// PostgreSQL refusals that come from what a caller sent, not from a fault of ours: never a 500.
const PG_INPUT_ERRORS: Record<string, [number, string, string]> = {
  // A NUL character in text (22021) or in JSON (22P05): the input guards catch it first; this is the safety net.
  '22021': [400, 'platform.nul_character', 'Les données envoyées contiennent un caractère nul (\\u0000), refusé : retirez-le.'],
  '22P05': [400, 'platform.nul_character', 'Les données envoyées contiennent un caractère nul (\\u0000), refusé : retirez-le.'],
  '23505': [409, 'platform.conflict', 'Ces données existent déjà (doublon) : rien n’a été enregistré.'],
};

/** "16 Ko", "50 Mo": the route's body limit, for the 413 answer. */
function sizeLimit(req: FastifyRequest): string | undefined {
  const limit = req.routeOptions?.bodyLimit;
  if (!limit) return undefined;
  return limit < 1024 * 1024 ? `${Math.round(limit / 1024)} Ko` : `${(limit / (1024 * 1024)).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
}

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `/api/docs#problem-${code}`, title: TITLES[status] ?? 'Erreur', status, detail, code, ...extra };
}

export function sendProblem(reply: FastifyReply, p: Problem) {
  return reply.code(p.status).type('application/problem+json; charset=utf-8').send(p);
}

export function errorHandler(error: FastifyError | AppError | Error, req: FastifyRequest, reply: FastifyReply) {
  const instance = req.url;
  if (error instanceof AppError) {
    if (error.status >= 500) req.log.error({ err: error }, error.message);
    return sendProblem(reply, problem(error.status, error.code, error.message, { instance, details: error.details }));
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((v) => ({
      field: [(error as { validationContext?: string }).validationContext, ...(v.instancePath || '').split('/').filter(Boolean)].filter(Boolean).join('.'),
      message: v.message ?? 'valeur invalide',
    }));
    const detail = `La requête est invalide : ${errors.map((e) => `${e.field} — ${e.message}`).join(' ; ')}.`;
    return sendProblem(reply, problem(400, 'platform.invalid_request', detail, { instance, errors }));
  }
  if (isResponseSerializationError(error)) {
    req.log.error({ err: error, issues: error.cause?.issues }, 'réponse non conforme au schéma');
    return sendProblem(reply, problem(500, 'platform.internal_error', 'Erreur interne. L’incident a été enregistré.', { instance }));
  }
  const pg = PG_INPUT_ERRORS[(error as { code?: string }).code ?? ''];
  if (pg && typeof (error as { severity?: unknown }).severity === 'string') {
    req.log.warn({ err: error }, 'donnée refusée par PostgreSQL');
    return sendProblem(reply, problem(pg[0], pg[1], pg[2], { instance }));
  }
  const status = (error as FastifyError).statusCode ?? 500;
  const code = (error as FastifyError).code;
  if (status === 413) {
    const limit = sizeLimit(req);
    return sendProblem(
      reply,
      problem(413, 'platform.body_too_large', `Le contenu envoyé dépasse la taille autorisée${limit ? ` pour cette adresse : ${limit} au plus` : ''}.`, { instance }),
    );
  }
  if (status >= 500) {
    req.log.error({ err: error }, 'erreur interne');
    return sendProblem(reply, problem(500, 'platform.internal_error', 'Erreur interne. L’incident a été enregistré.', { instance }));
  }
  const detail =
    (code && FASTIFY_DETAILS[code]) ?? DETAILS[status] ?? (status === 400 ? `La requête est invalide (${code ?? 'format'}).` : TITLES[status] ?? 'Erreur');
  return sendProblem(reply, problem(status, `platform.${(error as FastifyError).code?.toLowerCase() ?? `http_${status}`}`, detail, { instance }));
}
