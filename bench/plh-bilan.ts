// Times the bilan rendering (HTML, DOCX, PDF) for a synthetic programme of N communes × 3 categories, with a map of
// N square communes. Not a test: `npx tsx bench/plh-bilan.ts [communes=60]`. Figures are synthetic sizes, not data.
import { composeBilan } from '../src/modules/plh/report/bilan-model.ts';
import { renderBilan, type BilanFormat } from '../src/modules/plh/report/render.ts';
import type { Categorie } from '../src/modules/plh/model.ts';

const n = Number(process.argv[2] ?? 60);
const communes = Array.from({ length: n }, (_, i) => ({ code: `31${String(i).padStart(3, '0')}`, nom: `Commune ${i + 1}` }));
const cats: Categorie[] = ['logements', 'logements_sociaux', 'renovation'];
const square = (i: number) => {
  const x = (i % 10) * 0.05;
  const y = Math.floor(i / 10) * 0.05;
  return { type: 'Polygon', coordinates: [[[x, 43 + y], [x + 0.05, 43 + y], [x + 0.05, 43.05 + y], [x, 43.05 + y], [x, 43 + y]]] };
};
const started = performance.now();
const bilan = composeBilan({
  annee: 2026,
  triennal: true,
  genereLe: new Date(),
  territoire: 'EPCI de mesure',
  programme: {
    nom: 'Programme de mesure',
    anneeDebut: 2025,
    anneeFin: 2030,
    tauxRattrapageSru: 0.33,
    orientations: [{ code: '1', titre: 'Orientation' }],
    actions: Array.from({ length: 30 }, (_, i) => ({
      code: `1.${i + 1}`,
      orientationCode: '1',
      titre: `Action ${i + 1}`,
      pilote: 'EPCI',
      partenaires: '',
      statut: 'en_cours' as const,
      indicateurs: '',
      indicateurCategorie: cats[i % 3],
      commentaire: '',
    })),
    budgets: [],
    objectifs: communes.flatMap((c, i) => cats.map((categorie) => ({ communeCode: c.code, categorie, anneeDebut: 2025, anneeFin: 2030, valeur: 100 + i }))),
  },
  programmeMisAJour: new Date(),
  communes,
  realisations: communes.flatMap((c, i) => [2025, 2026].map((annee) => ({ communeCode: c.code, categorie: 'logements' as const, annee, valeur: 10 + i, source: 'mesure' }))),
  aides: communes.map((c, i) => ({ reference: `A${i}`, type: 'logement_social' as const, communeCode: c.code, annee: 2026, montantEuros: 1000 * i, nbLogements: 0, nbPlai: 3, nbPlus: 5, nbPls: 2 })),
  sru: [],
  foncier: [],
  contours: communes.map((c, i) => ({ code: c.code, geometry: square(i) })),
  contourSource: { source: 'carrés de mesure', millesime: 2026 },
});
console.log(`composition : ${(performance.now() - started).toFixed(0)} ms (${bilan.objectifs.length} objectifs)`);
for (const f of ['html', 'docx', 'pdf'] as BilanFormat[]) {
  const t0 = performance.now();
  const bytes = await renderBilan(bilan, f);
  console.log(`${f} : ${(performance.now() - t0).toFixed(0)} ms, ${(bytes.length / 1024).toFixed(0)} Kio`);
}
