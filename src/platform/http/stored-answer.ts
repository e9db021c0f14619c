// A public answer kept as the bytes sent: serialized once (and gzipped once when large), with its ETag, so that a
// cached answer costs neither JSON.stringify, nor hashing, nor compression per request. caching.ts's ETag plugin sees
// the header already set and only answers 304 on a matching If-None-Match; its compression sees the encoding set.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The size above which a stored answer is also kept gzipped (caching.ts compresses above the same size). */
const GZIP_ABOVE_BYTES = 1024;

export interface StoredAnswer {
  body: Buffer;
  gzip: Buffer | null;
  /** Weak: the same for the plain and the gzipped bytes (one representation, two encodings). */
  etag: string;
  type: string;
}

export function storeAnswer(value: unknown, type = 'application/json; charset=utf-8'): StoredAnswer {
  const body = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  const etag = `W/"${createHash('sha1').update(body).digest('base64url')}"`;
  return { body, gzip: body.length > GZIP_ABOVE_BYTES ? gzipSync(body) : null, etag, type };
}

export function sendStored(req: FastifyRequest, reply: FastifyReply, a: StoredAnswer) {
  reply.header('etag', a.etag).header('vary', 'accept-encoding').type(a.type);
  const gzip = a.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? a.gzip : a.body);
}
