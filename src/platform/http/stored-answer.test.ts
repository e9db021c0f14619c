// A stored answer is sent as its bytes, with its ETag; a revalidation gets a bodiless 304; gzip when accepted.
import Fastify from 'fastify';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installCaching } from './caching.ts';
import { sendStored, storeAnswer } from './stored-answer.ts';

const answer = { rows: Array.from({ length: 200 }, (_, i) => ({ code: String(69000 + i), price_m2_median: 3000 + i })) };
const stored = storeAnswer(answer);
const app = Fastify();
beforeAll(async () => {
  await installCaching(app);
  app.get('/api/answer', { config: { access: 'public' } }, (req, reply) => sendStored(req, reply, stored));
  await app.ready();
});
afterAll(() => app.close());

describe('réponse gardée telle qu’envoyée', () => {
  it('envoie les octets gardés avec leur ETag, puis 304 sans corps à la revalidation', async () => {
    const first = await app.inject({ method: 'GET', url: '/api/answer' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual(answer);
    expect(first.headers.etag).toBe(stored.etag);
    expect(first.headers['cache-control']).toBe('public, no-cache');
    const again = await app.inject({ method: 'GET', url: '/api/answer', headers: { 'if-none-match': stored.etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('envoie la version gzip gardée quand le client l’accepte', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/answer', headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(res.rawPayload).toString())).toEqual(answer);
  });
});
