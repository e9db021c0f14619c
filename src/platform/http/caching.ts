// Revalidation and compression of answers. A public answer (prices, indicators, public pages' data) changes only with
// a new data edition: browsers and proxies keep it and ask again with If-None-Match, and get a bodiless 304 when it
// has not changed. Anything behind a login may carry personal data: never stored by a browser or a proxy.
import fastifyCompress from '@fastify/compress';
import fastifyEtag from '@fastify/etag';
import type { FastifyInstance } from 'fastify';

/** Above this size a JSON or CSV answer is compressed (gzip or deflate, as the client accepts). */
const COMPRESS_THRESHOLD_BYTES = 1024;

export async function installCaching(app: FastifyInstance): Promise<void> {
  // ETag from the bytes sent (fnv1a, fast), and 304 when the client's If-None-Match matches: a cached answer is
  // revalidated without its body.
  await app.register(fastifyEtag);
  // No brotli: at its default quality it costs more CPU per answer than the whole cached answer itself.
  await app.register(fastifyCompress, { threshold: COMPRESS_THRESHOLD_BYTES, encodings: ['gzip', 'deflate'] });
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method !== 'GET' || !req.url.startsWith('/api/') || reply.hasHeader('cache-control')) return payload;
    const isPublic = req.routeOptions.config?.access === 'public';
    reply.header('cache-control', isPublic ? 'public, no-cache' : 'private, no-store');
    return payload;
  });
}
