// Public answers are revalidated with their ETag (304 without a body when unchanged) and compressed when large;
// answers behind a login are never stored by a browser or a proxy.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe('caching of answers', () => {
  it('a public answer carries an ETag, and the same request with If-None-Match gets 304 without a body', async () => {
    const first = await t.app.inject({ url: '/api/territory/communes/69266' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('public, no-cache');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await t.app.inject({ url: '/api/territory/communes/69266', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const other = await t.app.inject({ url: '/api/territory/communes/69123', headers: { 'if-none-match': etag } });
    expect(other.statusCode).toBe(200); // another commune, another tag
  });

  it('a large public answer is gzipped for a client that accepts it, and unzips to the same JSON', async () => {
    const plain = await t.app.inject({ url: '/api/territory/map' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(1024);
    const zipped = await t.app.inject({ url: '/api/territory/map', headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.rawPayload.length).toBeLessThan(plain.body.length / 2);
    expect(JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8'))).toEqual(JSON.parse(plain.body));
  });

  it('an answer behind a login is marked private and never stored', async () => {
    const admin = await t.login('admin', 'epci');
    const res = await t.app.inject({ url: '/api/access/me', headers: admin.headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
  });
});
