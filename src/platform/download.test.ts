// The download piece against a local HTTP server (test/support/publisher.ts) serving a real file: conditional
// requests, resume with Range, 503 then success, refused checksums, the offline message. No test reaches the network.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPublisher, type Publisher } from '../../test/support/publisher.ts';
import { AppError } from './errors.ts';
import { announcedSha256, download } from './download.ts';

const TMP = mkdtempSync(join(tmpdir(), 'habitat-download-test-'));
// The real geo-DVF extract of Abzac 2021, gzipped as Etalab serves it.
const FILE = gzipSync(readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'sources', 'geodvf_commune_33001_Abzac_2021.csv')));
const SHA = createHash('sha256').update(FILE).digest('hex');
const PATH = '/geo-dvf/latest/csv/2021/departements/33.csv.gz';
const fast = { retries: 3, backoffMs: 5, timeoutMs: 5000 };

let pub: Publisher;
beforeAll(async () => {
  pub = await startPublisher();
});
afterAll(async () => {
  await pub.close();
  rmSync(TMP, { recursive: true, force: true });
});

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as AppError;
  }
  throw new Error('le téléchargement aurait dû échouer');
};

describe('download', () => {
  it('downloads, hashes, and answers « inchange » to a 304 on the next conditional request', async () => {
    pub.serve(PATH, { body: FILE, etag: '"dvf-2021-33"', lastModified: 'Tue, 15 Apr 2025 08:00:00 GMT' });
    const dest = join(TMP, 'a', '33.csv.gz');
    const first = await download({ url: pub.url + PATH, dest }, fast);
    expect(first).toMatchObject({ status: 'downloaded', bytes: FILE.length, sha256: SHA, validators: { etag: '"dvf-2021-33"' }, resumed: false, attempts: 1 });
    expect(readFileSync(dest).equals(FILE)).toBe(true);
    if (first.status !== 'downloaded') throw new Error();
    expect(first.lastModified?.toISOString()).toBe('2025-04-15T08:00:00.000Z');

    const before = pub.requests.length;
    const second = await download({ url: pub.url + PATH, dest, known: first.validators }, fast);
    expect(second.status).toBe('unchanged');
    const req = pub.requests[before];
    expect(req.headers['if-none-match']).toBe('"dvf-2021-33"');
    expect(req.headers['if-modified-since']).toBe('Tue, 15 Apr 2025 08:00:00 GMT');
    expect(req.status).toBe(304);
  });

  it('resumes a cut transfer with Range/If-Range and gets the whole file, checksum included', async () => {
    pub.serve(PATH, { body: FILE, etag: '"v2"', cutAfter: { bytes: 1000, times: 1 } });
    const dest = join(TMP, 'b', '33.csv.gz');
    const retries: string[] = [];
    const r = await download({ url: pub.url + PATH, dest }, { ...fast, onRetry: (x) => retries.push(x.reason) });
    expect(r).toMatchObject({ status: 'downloaded', sha256: SHA, bytes: FILE.length, resumed: true, attempts: 2 });
    expect(readFileSync(dest).equals(FILE)).toBe(true);
    const last = pub.requests[pub.requests.length - 1];
    expect(last.headers.range).toBe('bytes=1000-');
    expect(last.headers['if-range']).toBe('"v2"');
    expect(last.status).toBe(206);
    expect(retries).toHaveLength(1);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('starts over when the server ignores the Range (200 instead of 206)', async () => {
    pub.serve(PATH, { body: FILE, etag: '"v3"', cutAfter: { bytes: 500, times: 1 }, noRanges: true });
    const dest = join(TMP, 'c', '33.csv.gz');
    const r = await download({ url: pub.url + PATH, dest }, fast);
    expect(r).toMatchObject({ status: 'downloaded', sha256: SHA, resumed: false });
  });

  it('retries after a 503 and succeeds', async () => {
    pub.serve(PATH, { body: FILE, etag: '"v4"', failFirst: 1 });
    const dest = join(TMP, 'd', '33.csv.gz');
    const r = await download({ url: pub.url + PATH, dest }, fast);
    expect(r).toMatchObject({ status: 'downloaded', attempts: 2, sha256: SHA });
  });

  it('gives up in French after the retries when the server keeps failing', async () => {
    pub.serve(PATH, { body: FILE, failFirst: 100 });
    const e = await failure(download({ url: pub.url + PATH, dest: join(TMP, 'e', '33.csv.gz') }, { ...fast, retries: 2 }));
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('download.echec');
    expect(e.message).toMatch(/impossible après 3 tentatives : le serveur a répondu 503\. Les données déjà chargées restent en place\./);
  });

  it('refuses a file whose announced digest (Repr-Digest) does not match, and keeps no byte of it', async () => {
    const wrong = createHash('sha256').update('autre chose').digest('hex');
    pub.serve(PATH, { body: FILE, etag: '"v5"', reprDigest: wrong });
    const dest = join(TMP, 'f', '33.csv.gz');
    const e = await failure(download({ url: pub.url + PATH, dest }, fast));
    expect(e.code).toBe('download.empreinte');
    expect(e.message).toMatch(/^Fichier refusé : son empreinte SHA-256 \([0-9a-f]{12}…\) ne correspond pas à celle publiée/);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
    // The right digest is accepted.
    pub.serve(PATH, { body: FILE, etag: '"v5"', reprDigest: true });
    expect((await download({ url: pub.url + PATH, dest }, fast)).status).toBe('downloaded');
  });

  it('refuses a file that does not match the checksum the publisher lists elsewhere', async () => {
    pub.serve(PATH, { body: FILE });
    const e = await failure(download({ url: pub.url + PATH, dest: join(TMP, 'g', '33.csv.gz'), expectedSha256: '0'.repeat(64) }, fast));
    expect(e.code).toBe('download.empreinte');
    const ok = await download({ url: pub.url + PATH, dest: join(TMP, 'g', '33.csv.gz'), expectedSha256: SHA.toUpperCase() }, fast);
    expect(ok.status).toBe('downloaded');
  });

  it('says in French that a file is missing at the publisher (404)', async () => {
    const e = await failure(download({ url: `${pub.url}/geo-dvf/latest/csv/2031/departements/33.csv.gz`, dest: join(TMP, 'h', 'x') }, fast));
    expect(e.code).toBe('download.introuvable');
    expect(e.message).toContain('Fichier introuvable chez l’éditeur (404)');
  });

  it('offline — a refused connection (a closed port) gives a clear French message', async () => {
    const closed = await startPublisher();
    const url = `${closed.url}${PATH}`;
    await closed.close();
    const e = await failure(download({ url, dest: join(TMP, 'i', 'x') }, { ...fast, retries: 1 }));
    expect(e.code).toBe('download.hors_ligne');
    expect(e.message).toBe(
      `Impossible de joindre ${new URL(url).host} : la connexion a été refusée (serveur arrêté, ou pare-feu). Vérifiez l’accès à Internet de la machine, ou le proxy (variables HTTPS_PROXY, NO_PROXY). Les données déjà chargées restent en place.`,
    );
  });

  it('offline — an unknown host (.invalid) gives a clear French message, without asking any DNS server', async () => {
    // The resolver is this machine's answer for a name that cannot exist (RFC 6761): no query leaves the process.
    const dispatcher = new Agent({
      connect: { lookup: (_host: string, _o: unknown, cb: (e: Error) => void) => cb(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })) } as any,
    });
    const e = await failure(download({ url: 'https://files.data.gouv.invalid/geo-dvf/latest/csv/2021/departements/33.csv.gz', dest: join(TMP, 'j', 'x') }, { ...fast, dispatcher }));
    await dispatcher.close();
    expect(e.code).toBe('download.hors_ligne');
    expect(e.message).toMatch(/^Impossible de joindre files\.data\.gouv\.invalid : le nom « files\.data\.gouv\.invalid » est introuvable \(pas d’accès à Internet, ou DNS indisponible\)\./);
  });

  it('reads both digest headers', () => {
    const hex = createHash('sha256').update('x').digest('hex');
    const b64 = Buffer.from(hex, 'hex').toString('base64');
    expect(announcedSha256({ 'repr-digest': `sha-512=:AAAA:, sha-256=:${b64}:` })).toBe(hex);
    expect(announcedSha256({ digest: `SHA-256=${b64}` })).toBe(hex);
    expect(announcedSha256({})).toBeUndefined();
  });
});
