// Polite and safe downloads of open-data files, for the connectors of the sources module.
//
// - Conditional requests: the validators (ETag, Last-Modified) of the copy whose import succeeded are sent back
//   (If-None-Match, If-Modified-Since); a 304 means the edition has not changed and nothing is downloaded.
// - Resume: bytes arrive in `<dest>.part`, with the validators of that response beside it (`<dest>.part.json`). An
//   interrupted transfer (connection cut, body shorter than its Content-Length, timeout) is retried with
//   `Range: bytes=<have>-` and `If-Range: <validator>`: a 206 appends, a 200 (the file changed meanwhile) starts over.
// - Integrity: the sha256 of the whole file is computed and returned (the caller records it); the size must equal the
//   announced length; a `Repr-Digest` (RFC 9530) or `Digest` (RFC 3230) sha-256 sent by the server, or a checksum the
//   publisher lists elsewhere (`expectedSha256`), must match, otherwise the file is refused and its bytes dropped.
// - Retries with exponential back-off on 5xx, 429, timeouts and cut connections (Retry-After honoured, capped).
// - Proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY through undici's EnvHttpProxyAgent, with the values of the
//   configuration (src/platform/config.ts reads the environment, nobody else).
// - Offline (unknown host, refused connection): a French message that says so.
// The file only takes its final name once complete and checked; the import that follows decides whether the data is
// replaced (each module's swap or transaction).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { EnvHttpProxyAgent, interceptors, request, type Dispatcher } from 'undici';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export interface DownloadRequest {
  url: string;
  /** Final path of the file; it appears only when the whole file is there and checked. */
  dest: string;
  /** Validators of the copy already imported: sent so that an unchanged file is not downloaded again. */
  known?: Validators;
  /** Checksum published by the publisher (hex sha256), when it publishes one. */
  expectedSha256?: string;
  headers?: Record<string, string>;
}

export interface DownloadProgress {
  url: string;
  bytes: number;
  total?: number;
}

export interface DownloadOptions {
  dispatcher?: Dispatcher;
  /** Attempts after the first one (default 4). */
  retries?: number;
  /** First back-off delay, doubled at each attempt (default 1 s). */
  backoffMs?: number;
  /** No response headers, or no body bytes, for this long: the attempt is dropped and retried (default 60 s). */
  timeoutMs?: number;
  onProgress?(p: DownloadProgress): void;
  /** Told before each new attempt (the CLI shows it; the tests count them). */
  onRetry?(r: { url: string; attempt: number; reason: string; delayMs: number }): void;
}

export type DownloadResult =
  | { status: 'unchanged'; url: string; validators: Validators; attempts: number }
  | {
      status: 'downloaded';
      url: string;
      path: string;
      bytes: number;
      sha256: string;
      validators: Validators;
      /** The publisher's Last-Modified, as a date (the edition's date when the publisher gives no other). */
      lastModified?: Date;
      /** The last attempt appended to the bytes of an interrupted one (206). */
      resumed: boolean;
      attempts: number;
    };

const USER_AGENT = 'HabitatCommun/0.1 (plateforme de la politique locale de l habitat; docs/sources.md)'; // header values must be ASCII
const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** The dispatcher of every download: proxies from the configuration, redirects followed (files.data.gouv.fr redirects). */
export function downloadAgent(proxy: Config['proxy'] = {}): Dispatcher {
  // '' rather than undefined: undici would otherwise read the environment itself.
  return new EnvHttpProxyAgent({ httpProxy: proxy.http ?? '', httpsProxy: proxy.https ?? '', noProxy: proxy.noProxy ?? '' }).compose(
    interceptors.redirect({ maxRedirections: 5 }),
  );
}

/** An error worth another attempt (the server or the network failed for a while). */
class Transient extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH']);
const CUT_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'ETIMEDOUT']);

function errorCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let i = 0; e && i < 4; i++, e = e.cause as typeof e) if (typeof e.code === 'string') return e.code;
  return undefined;
}

export function offlineError(url: string, code: string): AppError {
  const host = new URL(url).host;
  const why =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `le nom « ${new URL(url).hostname} » est introuvable (pas d’accès à Internet, ou DNS indisponible)`
      : code === 'ECONNREFUSED'
        ? 'la connexion a été refusée (serveur arrêté, ou pare-feu)'
        : 'le réseau est injoignable';
  return new AppError(
    'download.hors_ligne',
    `Impossible de joindre ${host} : ${why}. Vérifiez l’accès à Internet de la machine, ou le proxy (variables HTTPS_PROXY, NO_PROXY). Les données déjà chargées restent en place.`,
    503,
    { code },
  );
}

const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function retryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

/** The sha-256 a response announces for the whole representation, in hex, if any (RFC 9530 Repr-Digest, RFC 3230 Digest). */
export function announcedSha256(headers: Record<string, string | string[] | undefined>): string | undefined {
  const repr = header(headers, 'repr-digest');
  const m1 = repr && /(?:^|,)\s*sha-256=:([A-Za-z0-9+/=]+):/i.exec(repr);
  if (m1) return Buffer.from(m1[1], 'base64').toString('hex');
  const digest = header(headers, 'digest');
  const m2 = digest && /(?:^|,)\s*sha-256=([A-Za-z0-9+/=]+)/i.exec(digest);
  if (m2) return Buffer.from(m2[1], 'base64').toString('hex');
  return undefined;
}

interface PartMeta extends Validators {
  url: string;
  total?: number;
  digest?: string;
}

const partPath = (dest: string) => `${dest}.part`;
const metaPath = (dest: string) => `${dest}.part.json`;

function dropPart(dest: string) {
  rmSync(partPath(dest), { force: true });
  rmSync(metaPath(dest), { force: true });
}

function readPart(dest: string, url: string): { size: number; meta: PartMeta } | undefined {
  if (!existsSync(partPath(dest)) || !existsSync(metaPath(dest))) return undefined;
  try {
    const meta = JSON.parse(readFileSync(metaPath(dest), 'utf8')) as PartMeta;
    if (meta.url !== url || (!meta.etag && !meta.lastModified)) return undefined; // cannot prove it is the same file
    return { size: statSync(partPath(dest)).size, meta };
  } catch {
    return undefined;
  }
}

async function hashFile(path: string): Promise<ReturnType<typeof createHash>> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Downloads one file (see the header comment). Throws AppError in French when it cannot. */
export async function download(req: DownloadRequest, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const retries = opts.retries ?? 4;
  const backoff = opts.backoffMs ?? 1000;
  const ownAgent = opts.dispatcher ? undefined : downloadAgent();
  const dispatcher = opts.dispatcher ?? ownAgent!;
  mkdirSync(dirname(req.dest), { recursive: true });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptOnce(req, dispatcher, opts, attempt);
      } catch (err) {
        const code = errorCode(err);
        let reason: string;
        let wait: number | undefined;
        if (err instanceof Transient) {
          reason = err.message;
          wait = err.retryAfterMs;
        } else if (code && (CUT_CODES.has(code) || code === 'ECONNREFUSED')) {
          reason = code === 'ECONNREFUSED' ? 'connexion refusée' : `transfert interrompu (${code})`;
        } else if (code && OFFLINE_CODES.has(code)) {
          throw offlineError(req.url, code); // an unknown host does not come back in a few seconds
        } else throw err;
        if (attempt > retries) {
          if (code && OFFLINE_CODES.has(code)) throw offlineError(req.url, code);
          throw new AppError('download.echec', `Téléchargement de ${req.url} impossible après ${attempt} tentatives : ${reason}. Les données déjà chargées restent en place.`, 502);
        }
        const delayMs = wait ?? backoff * 2 ** (attempt - 1);
        opts.onRetry?.({ url: req.url, attempt: attempt + 1, reason, delayMs });
        await sleep(delayMs);
      }
    }
  } finally {
    await ownAgent?.close();
  }
}

async function attemptOnce(req: DownloadRequest, dispatcher: Dispatcher, opts: DownloadOptions, attempt: number): Promise<DownloadResult> {
  const timeout = opts.timeoutMs ?? 60_000;
  const part = readPart(req.dest, req.url);
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...req.headers };
  if (part && part.size > 0) {
    headers.range = `bytes=${part.size}-`;
    headers['if-range'] = part.meta.etag ?? part.meta.lastModified!;
  } else if (req.known?.etag || req.known?.lastModified) {
    if (req.known.etag) headers['if-none-match'] = req.known.etag;
    if (req.known.lastModified) headers['if-modified-since'] = req.known.lastModified;
  }
  const res = await request(req.url, { method: 'GET', headers, dispatcher, headersTimeout: timeout, bodyTimeout: timeout });
  const h = res.headers as Record<string, string | string[] | undefined>;
  const status = res.statusCode;
  if (status === 304) {
    await res.body.dump();
    return { status: 'unchanged', url: req.url, validators: req.known ?? {}, attempts: attempt };
  }
  if (status === 416 && part) {
    // The part is not a prefix of what the server has now: start again from nothing.
    await res.body.dump();
    dropPart(req.dest);
    throw new Transient('reprise refusée par le serveur (416), nouveau départ');
  }
  if (status >= 500 || status === 429 || status === 408) {
    await res.body.dump();
    throw new Transient(`le serveur a répondu ${status}`, retryAfter(header(h, 'retry-after')));
  }
  if (status === 404) {
    await res.body.dump();
    throw new AppError('download.introuvable', `Fichier introuvable chez l’éditeur (404) : ${req.url}.`, 404, { url: req.url });
  }
  if (status !== 200 && status !== 206) {
    await res.body.dump();
    throw new AppError('download.refuse', `Le serveur a refusé le téléchargement de ${req.url} (réponse ${status}).`, 502);
  }

  const etag = header(h, 'etag');
  const lastModified = header(h, 'last-modified');
  const length = header(h, 'content-length') !== undefined ? Number(header(h, 'content-length')) : undefined;
  let append = false;
  let total = length;
  if (status === 206 && part) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header(h, 'content-range') ?? '');
    if (!m || Number(m[1]) !== part.size) {
      await res.body.dump();
      dropPart(req.dest);
      throw new Transient('plage reçue incohérente, nouveau départ');
    }
    append = true;
    total = m[3] === '*' ? undefined : Number(m[3]);
  } else if (status === 206) {
    await res.body.dump();
    throw new Transient('réponse partielle inattendue');
  }
  const meta: PartMeta = append
    ? part!.meta
    : { url: req.url, etag, lastModified, total, digest: announcedSha256(h) };
  if (!append) dropPart(req.dest);
  writeFileSync(metaPath(req.dest), JSON.stringify(meta));

  const hash = append ? await hashFile(partPath(req.dest)) : createHash('sha256');
  let bytes = append ? part!.size : 0;
  const out = createWriteStream(partPath(req.dest), { flags: append ? 'a' : 'w' });
  try {
    for await (const chunk of res.body) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      if (!out.write(chunk)) await once(out, 'drain');
      opts.onProgress?.({ url: req.url, bytes, total });
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  if (total !== undefined && bytes < total) throw new Transient(`transfert interrompu à ${bytes} octets sur ${total}`);
  if (total !== undefined && bytes > total) {
    dropPart(req.dest);
    throw new AppError('download.taille', `Fichier refusé : ${bytes} octets reçus pour ${total} annoncés (${req.url}).`, 502);
  }
  const sha256 = hash.digest('hex');
  const expected = req.expectedSha256?.toLowerCase() ?? meta.digest;
  if (expected && expected !== sha256) {
    dropPart(req.dest); // corrupt bytes must not be resumed
    throw new AppError(
      'download.empreinte',
      `Fichier refusé : son empreinte SHA-256 (${sha256.slice(0, 12)}…) ne correspond pas à celle publiée (${expected.slice(0, 12)}…) pour ${req.url}. Rien n’a été importé ; les données déjà chargées restent en place.`,
      502,
    );
  }
  renameSync(partPath(req.dest), req.dest);
  rmSync(metaPath(req.dest), { force: true });
  const validators: Validators = { etag: meta.etag, lastModified: meta.lastModified };
  const date = meta.lastModified ? new Date(meta.lastModified) : undefined;
  return {
    status: 'downloaded',
    url: req.url,
    path: req.dest,
    bytes,
    sha256,
    validators,
    lastModified: date && !Number.isNaN(date.getTime()) ? date : undefined,
    resumed: append,
    attempts: attempt,
  };
}
