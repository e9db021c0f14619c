// Migration 0901 translates the run history's stored values (docs/decisions/0004-naming.md): a store migrated before
// it keeps every run, with its trigger and result now in English, and the check constraints follow.
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { storeBefore, type StoreBefore } from '../../../test/support/migration-replay.ts';

let before: StoreBefore | undefined;
afterAll(() => before?.close());

it('keeps every run through the translation of its values, and refuses the old ones afterwards', async () => {
  before = await storeBefore('0901');
  const db = before.store.db;
  const runs = [
    ['dvf', 'commande', 'importe', 164],
    ['dvf', 'planification', 'inchange', 0],
    ['insee', 'planification', 'echec', null],
    ['dpe', 'commande', 'en-cours', null],
  ] as const;
  for (const [i, [source, trigger, result, lines]] of runs.entries())
    await sql`insert into source_run (source, trigger, started_at, result, lines) values (${source}, ${trigger}, ${new Date(Date.UTC(2026, 0, 1 + i)).toISOString()}, ${result}, ${lines})`.execute(db);

  expect(await before.migrateRest()).toContain('0901_sources_naming.sql');
  const after = await db.selectFrom('source_run').select(['source', 'trigger', 'result', 'lines']).orderBy('started_at').execute();
  expect(after).toEqual([
    { source: 'dvf', trigger: 'command', result: 'imported', lines: 164 },
    { source: 'dvf', trigger: 'schedule', result: 'unchanged', lines: 0 },
    { source: 'insee', trigger: 'schedule', result: 'failed', lines: null },
    { source: 'dpe', trigger: 'command', result: 'running', lines: null },
  ]);
  await expect(sql`insert into source_run (source, trigger, started_at, result) values ('dvf', 'commande', now(), 'importe')`.execute(db)).rejects.toThrow();
  // Replaying every migration on PGlite takes a while on a loaded machine: a generous limit, not a timing check.
}, 300_000);
