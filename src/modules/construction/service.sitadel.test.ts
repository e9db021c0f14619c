// The Sitadel import on both databases, with the real Toulouse file (edition 2026-01) and edited copies of it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { formatProblem } from '../../platform/errors.ts';
import { importSitadel, SITADEL_DEMO_FILE as SITADEL_DEMO } from './service.ts';
const tmp = mkdtempSync(join(tmpdir(), 'sitadel-'));
const lines = readFileSync(SITADEL_DEMO, 'utf8').split('\n');
const HEADER = lines.slice(0, 2);
const codes = HEADER[1].split(';').map((c) => c.replace(/"/g, ''));
const col = (name: string) => codes.indexOf(name);

/** Writes a copy of the file where `edit` may change the cells of data lines (0-based index into the data lines). */
function editedCopy(name: string, edit: (cells: string[], i: number) => string[] | null): string {
  const data = lines.slice(2).filter(Boolean);
  const out = data.map((l, i) => edit(l.split(';'), i)).filter((c): c is string[] => c !== null).map((c) => c.join(';'));
  const path = join(tmp, name);
  writeFileSync(path, [...HEADER, ...out].join('\n') + '\n');
  return path;
}

const count = async (db: any, table: string) => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db)).rows[0].n);

describeStores('import Sitadel', (getDb) => {
  it('loads the 3,710 permits of Toulouse with their dwellings and pipeline states', async () => {
    const s = await importSitadel(getDb(), SITADEL_DEMO);
    expect(s.problems.map(formatProblem)).toEqual([]);
    expect(s).toMatchObject({ read: 3710, created: 3710, rejected: 0, updated: 0 });
    const db = getDb();
    expect(await count(db, 'construction_permit')).toBe(3710);
    const units = await sql<{ n: number }>`select sum(units)::int as n from construction_programme where source = 'sitadel'`.execute(db);
    expect(units.rows[0].n).toBe(68_759); // the sum stated in the provenance of the file
    const states = await sql<{ state: string; n: number }>`select state, count(*)::int as n from construction_programme group by state order by state`.execute(db);
    // ETAT_DAU 2 → PC accordé, 5 → chantier ouvert, 6 → livré, 4 → abandonné (348 + 12 annulled after opening).
    expect(Object.fromEntries(states.rows.map((r) => [r.state, r.n]))).toEqual({ abandoned: 360, delivered: 1021, permit_granted: 1211, works_started: 1118 });
    // The number carried by both a PC and a DP is two permits.
    const twin = await sql<{ n: number }>`select count(*)::int as n from construction_permit where num_dau = '0315552500300'`.execute(db);
    expect(twin.rows[0].n).toBe(2);
    // A delivered programme has its three dated steps.
    const ev = await sql<any>`select e.kind, e.to_state, e.event_date::text as d from construction_event e join construction_permit cp on cp.programme_id = e.programme_id
      where cp.num_dau = '03155511C1330' order by e.id`.execute(db);
    expect(ev.rows.map((r: any) => [r.to_state, r.d])).toEqual([['permit_granted', '2013-06-28'], ['works_started', '2014-03-03']]);
  });

  it('does nothing when the same file is imported again, even forced', async () => {
    const db = getDb();
    const events = await count(db, 'construction_event');
    expect((await importSitadel(db, SITADEL_DEMO)).alreadyImported).toBe(true);
    const forced = await importSitadel(db, SITADEL_DEMO, { force: true });
    expect(forced).toMatchObject({ created: 0, updated: 0, unchanged: 3710 });
    expect(await count(db, 'construction_event')).toBe(events);
    expect(await count(db, 'construction_programme')).toBe(3710);
  });

  it('moves a permit forward when a newer edition says its works have started, and refuses a step back', async () => {
    const db = getDb();
    const [moved, back] = ['03155524C0301', '03155511C1330'];
    const path = editedCopy('edition-suivante.csv', (c) => {
      const num = c[col('NUM_DAU')].replace(/"/g, '');
      if (num === moved) {
        c[col('ETAT_DAU')] = '5';
        c[col('DATE_REELLE_DOC')] = '"2026-01-15"';
      }
      if (num === back) {
        c[col('ETAT_DAU')] = '2';
        c[col('DATE_REELLE_DOC')] = '';
      }
      return c;
    });
    // 03155524C0301 (HABITAT TOULOUSE, authorised 2025-01-10) is "autorisé" in the 2026-01 edition.
    const s = await importSitadel(db, path);
    expect(s.updated).toBe(1);
    expect(s.problems.map((r) => [r.rule, r.column, r.value])).toEqual([['transition_interdite', 'ETAT_DAU', 'authorised']]);
    expect(formatProblem(s.problems[0])).toMatch(/edition-suivante\.csv, ligne \d+, colonne « ETAT_DAU » — règle transition_interdite : .*revient pas en arrière/);
    const after = await sql<any>`select p.state, p.works_start_date::text as d from construction_programme p join construction_permit cp on cp.programme_id = p.id where cp.num_dau = ${moved}`.execute(db);
    expect(after.rows[0]).toEqual({ state: 'works_started', d: '2026-01-15' });
    expect(s.changes.some((c) => c.from === 'permit_granted' && c.state === 'works_started')).toBe(true);
    // The refused line left its programme as it was.
    const kept = await sql<any>`select p.state from construction_programme p join construction_permit cp on cp.programme_id = p.id where cp.num_dau = ${back}`.execute(db);
    expect(kept.rows[0].state).toBe('works_started');
  });
});

describeStores('import Sitadel: bad input', (getDb) => {
  it('rejects bad lines with file, line, column, rule and value in French, and loads the others', async () => {
    const path = editedCopy('abime.csv', (c, i) => {
      if (i >= 20) return null;
      if (i === 0) c[col('COMM')] = '"3155"';
      if (i === 1) c[col('NB_LGT_TOT_CREES')] = '-4';
      if (i === 2) c[col('DATE_REELLE_AUTORISATION')] = '"2013-02-30"';
      if (i === 3) c[col('ETAT_DAU')] = '9';
      if (i === 4) return c.slice(0, 50);
      if (i === 5) c[col('COMM')] = '"99999"';
      return c;
    });
    const s = await importSitadel(getDb(), path);
    expect(s).toMatchObject({ read: 20, created: 14, rejected: 6 });
    expect(s.problems.map((r) => [r.line, r.column, r.rule])).toEqual([
      [3, 'COMM', 'code_commune'],
      [4, 'NB_LGT_TOT_CREES', 'entier_positif'],
      [5, 'DATE_REELLE_AUTORISATION', 'date'],
      [6, 'ETAT_DAU', 'etat_dau'],
      [7, undefined, 'nombre_de_colonnes'],
      [8, 'COMM', 'commune_inconnue'],
    ]);
    expect(formatProblem(s.problems[2])).toBe('abime.csv, ligne 5, colonne « DATE_REELLE_AUTORISATION » — règle date : la date doit être au format AAAA-MM-JJ. (valeur : « 2013-02-30 »)');
  });

  it('writes nothing when a required column is missing, and names it', async () => {
    const db = getDb();
    const before = await count(db, 'construction_permit');
    const path = join(tmp, 'sans-colonne.csv');
    writeFileSync(path, [HEADER[0], HEADER[1].replace('"NUM_DAU"', '"NUMERO"'), lines[2]].join('\n'));
    const s = await importSitadel(db, path);
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toMatchObject({ line: 2, rule: 'colonnes_obligatoires' });
    expect(await count(db, 'construction_permit')).toBe(before);
  });

  it('reads an edition whose column codes are in lower case', async () => {
    const path = join(tmp, 'minuscules.csv');
    writeFileSync(path, [HEADER[0], HEADER[1].toLowerCase(), ...lines.slice(30, 40)].join('\n'));
    const s = await importSitadel(getDb(), path);
    expect(s).toMatchObject({ read: 10, created: 10, rejected: 0 });
  });
});

describe('Sitadel demo file', () => {
  it('is the copy of the shared file', () => {
    expect(readFileSync(SITADEL_DEMO).length).toBe(1_807_572);
  });
});
