// Bad input over HTTP, refused in one place before any handler runs: bodies over the route's size, compressed bodies,
// malformed JSON (with where it breaks), NUL characters anywhere in the path, the query or a JSON body (PostgreSQL
// refuses U+0000 in text: without this a NUL ended in a 500), URLs too long, requests the HTTP parser rejects.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { AppError } from '../errors.ts';
import { jsonErrorInFrench, nulPath } from '../text-input.ts';
import { problem, sendProblem } from './problems.ts';

/**
 * Default body limit of every route: JSON forms and questions, a few KB. Routes that take more (uploads, lists of
 * thousands of rows) say so with their own `bodyLimit` (docs/security.md lists them).
 */
export const JSON_BODY_LIMIT = 16 * 1024;

/** Fastify's default: a path parameter longer than this does not match a route (414). */
export const MAX_PARAM_LENGTH = 100;

export const nulRefused = (where: string) =>
  new AppError('platform.nul_character', `La requête contient un caractère nul (\\u0000) dans « ${where} » : ce caractère n’est pas accepté, retirez-le.`, 400);

export function installInputGuards(app: FastifyInstance): void {
  // JSON bodies: Fastify's own parser (same protection against prototype poisoning), with a French message that
  // says where the text breaks instead of FST_ERR_CTP_INVALID_JSON_BODY.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    parseJson(req, body as string, (err: Error | null, value?: unknown) => {
      if (!err) return done(null, value);
      if ((err as { code?: string }).code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
        return done(new AppError('platform.empty_json', 'Le corps de la requête est vide alors que son type (Content-Type) annonce du JSON.', 400), undefined);
      const where = jsonErrorInFrench(body as string);
      done(
        where
          ? new AppError('platform.invalid_json', `Le corps de la requête n’est pas un JSON valide : ${where}.`, 400)
          : new AppError('platform.forbidden_json_key', 'Le JSON envoyé contient une clé interdite (__proto__ ou constructor.prototype).', 400),
        undefined,
      );
    });
  });

  // A compressed body would reach the parsers as bytes they misread: refuse it plainly (no route takes one).
  app.addHook('preParsing', async (req) => {
    const encoding = req.headers['content-encoding'];
    if (encoding && encoding.trim().toLowerCase() !== 'identity')
      throw new AppError('platform.compressed_body', `Le contenu compressé (Content-Encoding: ${encoding}) n’est pas accepté : envoyez-le sans compression.`, 415);
  });

  // After parsing, before validation: one look at everything the handler could pass on to the store.
  app.addHook('preValidation', async (req) => {
    const where =
      nulPath(req.params, 'chemin') ?? nulPath(req.query, 'paramètres') ?? nulPath(req.body, 'corps');
    if (where) throw nulRefused(where);
  });
}

/** Errors the router raises before any hook: an invalid %-encoding, a path segment over MAX_PARAM_LENGTH. */
export function frameworkErrors(error: Error & { code?: string }, req: FastifyRequest, reply: FastifyReply) {
  const instance = req.url.length > 200 ? `${req.url.slice(0, 200)}…` : req.url;
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return sendProblem(
      reply,
      problem(414, 'platform.url_too_long', `L’adresse demandée est trop longue : un de ses segments dépasse ${MAX_PARAM_LENGTH} caractères.`, { instance }),
    );
  if (error.code === 'FST_ERR_BAD_URL')
    return sendProblem(reply, problem(400, 'platform.invalid_url', 'L’adresse demandée contient un encodage invalide (un « % » qui n’est pas suivi de deux chiffres hexadécimaux valides).', { instance }));
  return sendProblem(reply, problem(400, 'platform.invalid_request', 'La requête est invalide.', { instance }));
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a URL or headers over 16 KB: 431; a malformed
 * request: 400; too slow: 408): answered as problem+json in French too.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'platform.headers_too_large', 'L’adresse ou les en-têtes de la requête sont trop longs (16 Ko au plus en tout).']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'platform.request_timeout', 'La requête est arrivée trop lentement : le délai est dépassé.']
        : [400, 'platform.malformed_request', 'La requête HTTP est mal formée.'];
  const body = JSON.stringify(problem(status, code, detail));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `Content-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}
