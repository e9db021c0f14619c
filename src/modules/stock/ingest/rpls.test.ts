import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RPLS_COLUMNS, readRplsFile, readRplsLine, type RplsCell } from './rpls.ts';
import { DEMO_RPLS } from '../demo.ts';

const index = Object.fromEntries(RPLS_COLUMNS.map((c, i) => [c, i])) as Record<(typeof RPLS_COLUMNS)[number], number>;

describe('RPLS aggregate reader', () => {
  it('reads the demo extract of the real file: 16,366 lines, 217,525 dwellings, Toulouse’s 46,684', async () => {
    const cells: RplsCell[] = [];
    const r = await readRplsFile(DEMO_RPLS, (c) => cells.push(c));
    expect(r.problems).toEqual([]);
    expect(r.lines).toBe(16_366);
    expect(cells.reduce((s, c) => s + c.n, 0)).toBe(217_525);
    const toulouse = cells.filter((c) => c.commune_code === '31555');
    expect(toulouse.reduce((s, c) => s + c.n, 0)).toBe(46_684);
    // Same totals as the parc-social example of the referential, computed independently from the same source.
    expect(toulouse.filter((c) => c.qpv).reduce((s, c) => s + c.n, 0)).toBe(17_286);
    expect(toulouse.filter((c) => c.dpe_energy === 'F' || c.dpe_energy === 'G').reduce((s, c) => s + c.n, 0)).toBe(748);
  });

  it('reads « Inconnu » as an unknown class and « 5 et plus » as 5 rooms', () => {
    const r = readRplsLine(['69123', '1970', 'Inconnu', 'E', '5 et plus', 'Logements collectifs', 'En QPV', '12'], index, 'f.csv', 2);
    expect(r).toEqual({ cell: { commune_code: '69123', construction_year: 1970, dpe_energy: null, dpe_climate: 'E', rooms: 5, building_type: 'collectif', qpv: true, n: 12 } });
  });

  it('refuses a file without the expected columns, in French', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'rpls-')), 'x.csv');
    writeFileSync(f, 'DEPCOM,n\n69123,4\n');
    const r = await readRplsFile(f, () => {});
    expect(r.broken).toBe(true);
    expect(r.problems[0].message).toMatch(/colonnes absentes \(construct, dpeenergie/);
  });

  it('rejects bad lines with their column and value, never throws (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('69123', '1970', 'C', 'Inconnu', '3', 'Hors QPV', 'Logements individuels', '0', '-1')), { minLength: 8, maxLength: 8 }), (cells) => {
        const r = readRplsLine(cells, index, 'f.csv', 9);
        if ('problem' in r) {
          expect(RPLS_COLUMNS).toContain(r.problem.column);
          expect(r.problem.line).toBe(9);
        } else expect(r.cell.n).toBeGreaterThan(0);
      }),
    );
  });
});
