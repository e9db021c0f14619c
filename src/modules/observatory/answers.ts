// What the portrait keeps between requests (issue 16 §1, decision 0007): each answer as the bytes sent, and the parts
// every first answer shares (the instance's construction secrecy, the comparable communes' profiles, the demo flags,
// each place's members and energy figures), each keyed on the versions of the sources it reads only. A new import of
// one source, or an event of the construction pipeline, changes that source's version: what read it is computed
// again at its next request, what did not read it stays. Secrecy is still decided when computing, from the counts.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { storeAnswer, type StoredAnswer } from '../../platform/http/stored-answer.ts';
import { dvfVersion } from '../market/index.ts';
import { readRplsManifest } from '../stock/index.ts';
import { portraitAnswer, type PortraitAnswer } from './contract.ts';
import { type SourceKey, type SourceVersions, versionKey } from './model.ts';
import { storeVersions } from './store.ts';

/** Every source a portrait reads: an answer's key. */
export const ALL_SOURCES: readonly SourceKey[] = ['territory', 'insee', 'dvf', 'construction', 'rpls', 'dpe', 'plh', 'demand', 'day', 'config'];

const digest = (s: string) => createHash('sha1').update(s).digest('base64url').slice(0, 16);

/**
 * The versions now: the store's counters (read first, see store.ts), the lake's manifests (a DVF or RPLS import
 * rewrites its manifest last), the day (the demand's 12 months and the current year move with it) and the settings.
 */
export async function sourceVersions(ctx: AppContext, now: Date): Promise<SourceVersions> {
  const counters = await storeVersions(ctx.db);
  const n = (k: string) => String(counters[k] ?? 0);
  const rpls = Object.values(readRplsManifest(ctx.lake.dir)).map((e) => `${e.millesime}:${e.sha256}@${e.importedAt}:${e.file}`);
  const c = ctx.config;
  return {
    territory: n('territory'),
    insee: n('insee'),
    construction: n('construction'),
    dpe: n('dpe'),
    plh: n('plh'),
    demand: n('demand'),
    // The manifest's date and size, not its content: a national manifest holds ≈ 170 000 commune-years per file.
    dvf: dvfVersion(ctx.lake.dir),
    rpls: digest(rpls.sort().join(',')),
    day: now.toISOString().slice(0, 10),
    config: `${c.secrecyMinCount}|${c.epciSirens.join(',')}|${c.loadDemo}`,
  };
}

/** One value per name, valid while its key holds; the least recently used name goes first beyond `max`. */
class KeyedMemo {
  private readonly entries = new Map<string, { key: string; value: Promise<unknown> }>();
  constructor(private readonly max: number) {}

  get<T>(name: string, key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(name);
    this.entries.delete(name);
    if (hit?.key === key) {
      this.entries.set(name, hit);
      return hit.value as Promise<T>;
    }
    const value = compute();
    this.entries.set(name, { key, value });
    // A failed computation is not kept: the next request tries again.
    value.catch(() => this.entries.get(name)?.value === value && this.entries.delete(name));
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}

/** A public answer kept: the object (for the printable sheets) and its bytes as the route sends them. */
export interface Kept<T> {
  answer: T;
  stored: StoredAnswer;
}
export type KeptPortrait = Kept<PortraitAnswer>;

// An answer is a few tens of kilobytes: 500 of them stay under ~20 MB. Parts are smaller and more numerous.
const kept = new WeakMap<AppContext, { answers: KeyedMemo; parts: KeyedMemo }>();
function memosOf(ctx: AppContext) {
  let m = kept.get(ctx);
  if (!m) kept.set(ctx, (m = { answers: new KeyedMemo(500), parts: new KeyedMemo(5000) }));
  return m;
}

/** What a request computes with: the versions it read first, and the shared parts keyed on them. */
export interface Keeper {
  versions: SourceVersions;
  part<T>(name: string, reads: readonly SourceKey[], compute: () => Promise<T>): Promise<T>;
}

export async function keeperOf(ctx: AppContext, now: Date): Promise<Keeper> {
  const versions = await sourceVersions(ctx, now);
  const { parts } = memosOf(ctx);
  return { versions, part: (name, reads, compute) => parts.get(name, versionKey(versions, reads), compute) };
}

/**
 * A public answer as kept (a portrait, a comparison), computed at its first request after a change of any source a
 * portrait reads. `schema` gives the bytes Fastify's serializer would send (fastify-type-provider-zod: the schema's
 * encoding, then JSON).
 */
export function keptAnswer<T>(ctx: AppContext, keeper: Keeper, name: string, schema: z.ZodType<T>, compute: () => Promise<T>): Promise<Kept<T>> {
  return memosOf(ctx).answers.get(name, versionKey(keeper.versions, ALL_SOURCES), async () => {
    const answer = await compute();
    return { answer, stored: storeAnswer(JSON.stringify(z.encode(schema, answer))) };
  });
}

/** The portrait of a place as kept. */
export const keptPortrait = (ctx: AppContext, keeper: Keeper, name: string, compute: () => Promise<PortraitAnswer>): Promise<KeptPortrait> =>
  keptAnswer(ctx, keeper, `portrait|${name}`, portraitAnswer, compute);
