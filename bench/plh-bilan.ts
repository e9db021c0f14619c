// Times the bilan rendering (HTML, DOCX, PDF) for a synthetic programme of N communes × 3 categories, with a map of
// N square communes. Not a test: `npx tsx bench/plh-bilan.ts [communes=60]`. Figures are synthetic sizes, not data.
import { composeBilan } from '../src/modules/plh/report/bilan-model.ts';
import { renderBilan, type BilanFormat } from '../src/modules/plh/report/render.ts';
import type { Category } from '../src/modules/plh/model.ts';

const n = Number(process.argv[2] ?? 60);
const communes = Array.from({ length: n }, (_, i) => ({ code: `31${String(i).padStart(3, '0')}`, name: `Commune ${i + 1}` }));
const cats: Category[] = ['logements', 'logements_sociaux', 'renovation'];
const square = (i: number) => {
  const x = (i % 10) * 0.05;
  const y = Math.floor(i / 10) * 0.05;
  return { type: 'Polygon', coordinates: [[[x, 43 + y], [x + 0.05, 43 + y], [x + 0.05, 43.05 + y], [x, 43.05 + y], [x, 43 + y]]] };
};
const started = performance.now();
const bilan = composeBilan({
  year: 2026,
  triennial: true,
  generatedAt: new Date(),
  territory: 'EPCI de mesure',
  programme: {
    name: 'Programme de mesure',
    startYear: 2025,
    endYear: 2030,
    sruCatchUpRate: 0.33,
    orientations: [{ code: '1', title: 'Orientation' }],
    actions: Array.from({ length: 30 }, (_, i) => ({
      code: `1.${i + 1}`,
      orientationCode: '1',
      title: `Action ${i + 1}`,
      lead: 'EPCI',
      partners: '',
      status: 'en_cours' as const,
      indicators: '',
      indicatorCategory: cats[i % 3],
      comment: '',
    })),
    budgets: [],
    targets: communes.flatMap((c, i) => cats.map((category) => ({ communeCode: c.code, category, startYear: 2025, endYear: 2030, value: 100 + i }))),
  },
  programmeUpdatedAt: new Date(),
  communes,
  achievements: communes.flatMap((c, i) => [2025, 2026].map((year) => ({ communeCode: c.code, category: 'logements' as const, year, value: 10 + i, source: 'mesure' }))),
  aids: communes.map((c, i) => ({ reference: `A${i}`, type: 'logement_social' as const, communeCode: c.code, year: 2026, amountEuros: 1000 * i, dwellingsCount: 0, plaiCount: 3, plusCount: 5, plsCount: 2 })),
  sru: [],
  land: [],
  contours: communes.map((c, i) => ({ code: c.code, geometry: square(i) })),
  contourSource: { source: 'carrés de mesure', vintage: 2026 },
});
console.log(`composition : ${(performance.now() - started).toFixed(0)} ms (${bilan.targets.length} objectifs)`);
for (const f of ['html', 'docx', 'pdf'] as BilanFormat[]) {
  const t0 = performance.now();
  const bytes = await renderBilan(bilan, f);
  console.log(`${f} : ${(performance.now() - t0).toFixed(0)} ms, ${(bytes.length / 1024).toFixed(0)} Kio`);
}
