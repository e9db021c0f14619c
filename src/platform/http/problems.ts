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
  erreurs?: { champ: string; message: string }[];
  details?: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Requête invalide',
  401: 'Connexion requise',
  403: 'Accès refusé',
  404: 'Introuvable',
  409: 'Conflit',
  413: 'Contenu trop volumineux',
  415: 'Format non pris en charge',
  422: 'Données invalides',
  429: 'Trop de requêtes',
  500: 'Erreur interne',
};
const DETAILS: Record<number, string> = {
  413: 'Le contenu envoyé dépasse la taille autorisée.',
  415: 'Le format du contenu envoyé n’est pas pris en charge (Content-Type).',
  429: 'Trop de requêtes en peu de temps. Réessayez dans une minute.',
};

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `/api/docs#probleme-${code}`, title: TITLES[status] ?? 'Erreur', status, detail, code, ...extra };
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
    const erreurs = error.validation.map((v) => ({
      champ: [(error as any).validationContext, ...(v.instancePath || '').split('/').filter(Boolean)].filter(Boolean).join('.'),
      message: v.message ?? 'valeur invalide',
    }));
    const detail = `La requête est invalide : ${erreurs.map((e) => `${e.champ} — ${e.message}`).join(' ; ')}.`;
    return sendProblem(reply, problem(400, 'requete_invalide', detail, { instance, erreurs }));
  }
  if (isResponseSerializationError(error)) {
    req.log.error({ err: error, issues: error.cause?.issues }, 'réponse non conforme au schéma');
    return sendProblem(reply, problem(500, 'erreur_interne', 'Erreur interne. L’incident a été enregistré.', { instance }));
  }
  const status = (error as FastifyError).statusCode ?? 500;
  if (status >= 500) {
    req.log.error({ err: error }, 'erreur interne');
    return sendProblem(reply, problem(500, 'erreur_interne', 'Erreur interne. L’incident a été enregistré.', { instance }));
  }
  const detail = DETAILS[status] ?? (status === 400 ? `La requête est invalide (${(error as FastifyError).code ?? 'format'}).` : TITLES[status] ?? 'Erreur');
  return sendProblem(reply, problem(status, (error as FastifyError).code?.toLowerCase() ?? `http_${status}`, detail, { instance }));
}
