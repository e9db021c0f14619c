// SYNTHETIC demands for the demo, the tests and the benchmark: no real person, no real SNE extract.
// Seeded, so the same seed always gives the same file. Names are visibly fictitious (« FICTIF-0001 »).
import { PRIORITY_FLAG_NAMES, TYPOLOGIES } from './model.ts';
import { SNE_COLUMNS } from './ingest/sne-csv.ts';

/** Real INSEE codes of communes of the two demo EPCIs. */
const DEMO_COMMUNES: Record<string, string[]> = {
  '200046977': ['69381', '69383', '69388', '69266', '69259', '69256', '69029'],
  '243100518': ['31555', '31069', '31149', '31557', '31044'],
};
const FIRST_NAMES = ['Camille', 'Dominique', 'Claude', 'Alix', 'Sacha', 'Morgan', 'Charlie', 'Lou', 'Noa', 'Eden'];
const SITUATIONS = ['locataire_hlm', 'locataire_prive', 'heberge_famille', 'heberge_tiers', 'hotel', 'structure_hebergement', 'sans_abri', 'autre'];

/** mulberry32: tiny seeded PRNG, enough for fake data. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function addMonths(iso: string, months: number, day = 1): string {
  const [y, m] = iso.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  return `${Math.floor(total / 12)}-${pad((total % 12) + 1)}-${pad(day)}`;
}
const fr = (iso: string) => iso.split('-').reverse().join('/');

export function syntheticDemandCsv(count: number, seed = 42, refDate = '2026-11-01'): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const yes = (p: number) => (r() < p ? 'O' : 'N');
  const lines = [SNE_COLUMNS.join(';')];
  for (let i = 1; i <= count; i++) {
    const epci = r() < 0.5 ? '200046977' : '243100518';
    const communes = DEMO_COMMUNES[epci];
    const age = Math.floor(r() * 72);
    const depot = addMonths(refDate, -age, 1 + Math.floor(r() * 28));
    const adults = r() < 0.55 ? 1 : 2;
    const children = Math.floor(r() * 4);
    const persons = adults + children;
    const typology = TYPOLOGIES[Math.min(5, Math.max(0, persons - 1 - (r() < 0.5 ? 1 : 0)))];
    const income = Math.round(600 + r() * 2400);
    const rent = r() < 0.2 ? '' : String(Math.round(200 + r() * 700));
    const wished = [...new Set([pick(communes), pick(communes), pick(communes)])].slice(0, 1 + Math.floor(r() * 3));
    const attributed = age > 6 && r() < 0.2;
    const dep = epci === '200046977' ? '069' : '031';
    const row: Record<string, string> = {
      numero_unique: `${dep}SYN${depot.slice(2, 4)}${pad(i, 6)}`,
      epci_siren: epci,
      date_depot: fr(depot),
      date_renouvellement: age >= 12 ? fr(addMonths(depot, 12 * Math.floor(age / 12), 1)) : '',
      statut: attributed ? 'attribuee' : 'active',
      nom: `FICTIF-${pad(i, 4)}`,
      prenom: pick(FIRST_NAMES),
      date_naissance: fr(`${1950 + Math.floor(r() * 55)}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`),
      courriel: `fictif-${pad(i, 4)}@example.invalid`,
      telephone: '',
      nb_adultes: String(adults),
      nb_enfants: String(children),
      ressources_mensuelles: String(income),
      loyer_residuel: rent,
      situation_logement: pick(SITUATIONS),
      surface_logement: r() < 0.3 ? '' : String(Math.round(9 + r() * 70)),
      typologie_souhaitee: typology,
      communes_souhaitees: wished.join('|'),
      mutation: yes(0.15),
      nb_refus: r() < 0.1 ? String(1 + Math.floor(r() * 3)) : '0',
      date_attribution: attributed ? fr(addMonths(depot, Math.floor(r() * (age - 1)) + 1, 15)) : '',
      commune_attribution: attributed ? wished[0] : '',
      typologie_attribuee: attributed ? typology : '',
    };
    const odds: Record<string, number> = { dalo: 0.05, pdalhpd: 0.08, handicap: 0.08, violences: 0.04, menace_expulsion: 0.07, insalubrite: 0.05, decohabitation: 0.12, chez_parents: 0.1 };
    for (const f of PRIORITY_FLAG_NAMES) row[f] = yes(odds[f] ?? 0.05);
    lines.push(SNE_COLUMNS.map((c) => row[c] ?? '').join(';'));
  }
  return lines.join('\n') + '\n';
}
