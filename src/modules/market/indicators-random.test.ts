// Property: whatever the sales, the figures answered from the indicators computed after an import are those computed
// from the raw lake — for communes, sections, départements, an EPCI spanning two départements and the instance, by
// year, month and five-year window, with the price histogram — also after a second import of one département, which
// computes that département's indicators only.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLake } from '../../platform/lake.ts';
import { datasetVersion } from '../../platform/lake-swap.ts';
import { indicatorSource, lakeSource } from './figure-source.ts';
import { readIndicatorsMeta, type Membership } from './indicators-store.ts';
import type { Method, Scope } from './model.ts';
import { importDvfFiles, refreshIndicators } from './service.ts';
import { dvfDataset } from './store.ts';

const HEADER = readFileSync(join(import.meta.dirname, '..', '..', '..', 'data', 'demo', 'dvf', 'geodvf_commune_33001_Abzac_2021.csv'), 'utf8').split('\n')[0];
const COLUMNS = HEADER.split(',');
const COMMUNES = ['01001', '01002', '02001', '02002'];
// An EPCI over two départements (01001, 02001), one inside one (01002, 02002 has none); the instance: three communes.
const MEMBERSHIP: Membership = { epciOf: { '01001': '200000001', '02001': '200000001', '01002': '200000002', '02002': '' }, territory: ['01001', '01002', '02001'] };
const membership = async (communes: string[]): Promise<Membership> => ({
  epciOf: Object.fromEntries(communes.map((c) => [c, MEMBERSHIP.epciOf[c] ?? ''])),
  territory: MEMBERSHIP.territory,
});

const sale = fc.record({
  commune: fc.constantFrom(...COMMUNES),
  section: fc.constantFrom('A', 'B'),
  year: fc.integer({ min: 2019, max: 2023 }),
  month: fc.integer({ min: 1, max: 12 }),
  house: fc.boolean(),
  price: fc.integer({ min: 20_000, max: 900_000 }),
  surface: fc.integer({ min: 15, max: 250 }),
});
type Sale = typeof sale extends fc.Arbitrary<infer S> ? S : never;

let seq = 0;
/** A geo-DVF file of single-property sales, one line each (the columns the rules read; the others empty). */
function dvfFile(dir: string, sales: Sale[]): string {
  const line = (s: Sale) => {
    const id = `${s.year}-${++seq}`;
    const v: Record<string, string> = {
      id_mutation: id,
      date_mutation: `${s.year}-${String(s.month).padStart(2, '0')}-15`,
      numero_disposition: '000001',
      nature_mutation: 'Vente',
      valeur_fonciere: String(s.price),
      code_postal: `${s.commune.slice(0, 2)}000`,
      code_commune: s.commune,
      nom_commune: `Commune ${s.commune}`,
      code_departement: s.commune.slice(0, 2),
      id_parcelle: `${s.commune}000${s.section}0${String(seq % 1000).padStart(4, '0')}`.slice(0, 14),
      nombre_lots: '0',
      code_type_local: s.house ? '1' : '2',
      type_local: s.house ? 'Maison' : 'Appartement',
      surface_reelle_bati: String(s.surface),
      nombre_pieces_principales: '3',
    };
    return COLUMNS.map((c) => v[c] ?? '').join(',');
  };
  const path = join(dir, `dvf-${++seq}.csv`);
  writeFileSync(path, [HEADER, ...sales.map(line)].join('\n') + '\n');
  return path;
}

const SCOPES: Scope[] = [
  ...COMMUNES.map((code) => ({ level: 'commune' as const, code })),
  { level: 'departement', code: '01' },
  { level: 'departement', code: '02' },
  { level: 'epci', code: '200000001', communes: ['01001', '02001'] },
  { level: 'epci', code: '200000002', communes: ['01002'] },
  { level: 'territory', code: 'territory', communes: MEMBERSHIP.territory },
];

describe('indicateurs calculés après l’import, ventes au hasard', () => {
  it('répondent comme le lac brut, après un premier import puis un import d’un seul département', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(sale, { minLength: 1, maxLength: 40 }), fc.array(sale.map((s) => ({ ...s, commune: s.commune.startsWith('01') ? s.commune : '01001' })), { maxLength: 30 }), async (first, second) => {
        const dir = mkdtempSync(join(tmpdir(), 'habitat-indicators-random-'));
        const lake = await openLake(dir);
        try {
          await importDvfFiles(lake.dir, [dvfFile(dir, first)], { parents: new Map() });
          expect(await refreshIndicators(lake.dir, membership)).toBe(true);
          await compare(lake);
          if (second.length) {
            await importDvfFiles(lake.dir, [dvfFile(dir, second)], { parents: new Map() });
            // The second import's lake: stale until computed again. Only the département it brings (01) is computed
            // again; the other's rows are kept (its lines carried over unchanged, or not touched), and every answer,
            // the EPCI over both départements and the instance included, is still the raw lake's.
            expect(readIndicatorsMeta(lake.dir)?.computed).toEqual(departements(first));
            expect(await refreshIndicators(lake.dir, membership)).toBe(true);
            expect(readIndicatorsMeta(lake.dir)?.computed).toEqual(['01']);
            await compare(lake);
          }
        } finally {
          lake.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 3 },
    );
  }, 600_000);
});

const departements = (sales: Sale[]) => [...new Set(sales.map((s) => s.commune.slice(0, 2)))].sort();

async function compare(lake: Awaited<ReturnType<typeof openLake>>) {
  const stored = indicatorSource(lake, () => datasetVersion(dvfDataset(lake.dir)));
  const raw = lakeSource(lake);
  for (const method of ['habitat', 'etalab'] as Method[]) {
    for (const scope of SCOPES) {
      expect(await stored.area(scope, method), `${scope.level} ${scope.code} ${method}`).toEqual(await raw.area(scope, method));
      for (const to of [2021, 2023, 2025]) {
        const win = { from: to - 4, to };
        for (const type of ['maison', 'appartement'] as const) {
          const [a, b] = [await stored.span(scope, type, method, win), await raw.span(scope, type, method, win)];
          expect(a && { ...a, period: 'span' }, `${scope.code} ${type} ${to}`).toEqual(b);
          if (scope.level === 'commune') {
            for (const minSales of [1, 11]) expect(await stored.distribution(scope.code, type, method, win, minSales)).toEqual(await raw.distribution(scope.code, type, method, win, minSales));
            expect((await stored.sections(scope.code, type, method, win)).map((r) => ({ ...r, period: 'span' }))).toEqual(await raw.sections(scope.code, type, method, win));
          }
        }
      }
    }
  }
}
