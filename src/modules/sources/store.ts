// SQL of the sources module: what each download brought (its validators, once imported) and the history of runs.
import { sql } from 'kysely';
import type { TypedDb } from '../../platform/db.ts';
import type { Validators } from '../../platform/download.ts';

export interface KnownDownload extends Validators {
  sha256: string;
  path: string;
}

export async function knownDownload(db: TypedDb, url: string): Promise<KnownDownload | undefined> {
  const r = await db.selectFrom('source_download').select(['etag', 'last_modified', 'sha256', 'path']).where('url', '=', url).executeTakeFirst();
  return r ? { etag: r.etag ?? undefined, lastModified: r.last_modified ?? undefined, sha256: r.sha256, path: r.path } : undefined;
}

export interface DownloadRecord {
  url: string;
  source: string;
  path: string;
  validators: Validators;
  sha256: string;
  bytes: number;
}

/** Records the downloads whose import succeeded: the next run sends their validators back. */
export async function recordDownloads(db: TypedDb, rows: DownloadRecord[]): Promise<void> {
  for (const r of rows)
    await db
      .insertInto('source_download')
      .values({ url: r.url, source: r.source, path: r.path, etag: r.validators.etag ?? null, last_modified: r.validators.lastModified ?? null, sha256: r.sha256, bytes: r.bytes })
      .onConflict((oc) =>
        oc.column('url').doUpdateSet({
          path: r.path,
          etag: r.validators.etag ?? null,
          last_modified: r.validators.lastModified ?? null,
          sha256: r.sha256,
          bytes: r.bytes,
          downloaded_at: sql`now()`,
          checked_at: sql`now()`,
        }),
      )
      .execute();
}

export async function markChecked(db: TypedDb, urls: string[]): Promise<void> {
  if (urls.length) await db.updateTable('source_download').set({ checked_at: sql`now()` }).where('url', 'in', urls).execute();
}

export async function startRun(db: TypedDb, source: string, trigger: 'command' | 'schedule', options: object): Promise<string> {
  const r = await db
    .insertInto('source_run')
    .values({ source, trigger, started_at: new Date(), result: 'running', options: JSON.stringify(options) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id as string;
}

export async function endRun(db: TypedDb, id: string, end: { result: 'imported' | 'unchanged' | 'failed'; edition: string | null; lines: number | null; message: string }): Promise<void> {
  await db.updateTable('source_run').set({ ended_at: new Date(), result: end.result, edition: end.edition, lines: end.lines, message: end.message }).where('id', '=', id).execute();
}

export interface RunRow {
  id: string;
  source: string;
  trigger: 'command' | 'schedule';
  edition: string | null;
  started_at: string;
  ended_at: string | null;
  lines: number | null;
  result: 'running' | 'imported' | 'unchanged' | 'failed';
  message: string | null;
}

export async function listRuns(db: TypedDb, opts: { source?: string; limit?: number } = {}): Promise<RunRow[]> {
  let q = db
    .selectFrom('source_run')
    .select(['id', 'source', 'trigger', 'edition', 'started_at', 'ended_at', 'lines', 'result', 'message'])
    .orderBy('started_at', 'desc')
    .orderBy('id')
    .limit(opts.limit ?? 100);
  if (opts.source) q = q.where('source', '=', opts.source);
  return (await q.execute()).map((r) => ({
    id: r.id,
    source: r.source,
    trigger: r.trigger as RunRow['trigger'], // the column's check constraint lists them
    edition: r.edition,
    started_at: new Date(r.started_at).toISOString(),
    ended_at: r.ended_at ? new Date(r.ended_at).toISOString() : null,
    lines: r.lines === null ? null : Number(r.lines),
    result: r.result as RunRow['result'],
    message: r.message,
  }));
}

/** Per source: the last run (for the schedule) and the last run that imported or found nothing new (the edition). */
export async function lastRuns(db: TypedDb): Promise<Map<string, { last?: RunRow; lastOk?: RunRow }>> {
  const out = new Map<string, { last?: RunRow; lastOk?: RunRow }>();
  for (const r of (await listRuns(db, { limit: 1000 })).reverse()) {
    const e = out.get(r.source) ?? {};
    e.last = r;
    if (r.result === 'imported' || (r.result === 'unchanged' && r.edition)) e.lastOk = r;
    out.set(r.source, e);
  }
  return out;
}
