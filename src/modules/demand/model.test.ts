import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeCondition } from './conditions.ts';
import { readGridDir } from './ingest/grid-files.ts';
import {
  ageBand,
  compareScores,
  type Demand,
  deriveFacts,
  FACT_FIELDS,
  type Grid,
  GridError,
  incomeBand,
  inForce,
  isSimilar,
  minimumSurface,
  monthsBetween,
  overlapping,
  parseGrid,
  PRIORITY_FLAG_NAMES,
  type PriorityFlag,
  ranks,
  scoreDemand,
  scoreDistribution,
  scoreSection,
  type Section,
  waitingTimes,
} from './model.ts';
import { demandArb } from './test-arbitraries.ts';

const grids = readGridDir();
const REF = '2026-11-01';

/** A plain demand: nothing special about it, so each test changes only what it checks. */
function demand(over: Partial<Demand> = {}): Demand {
  return {
    number: '031SYN24000001',
    epci_siren: '243100518',
    filing_date: REF,
    renewal_date: null,
    status: 'active',
    adults: 2,
    children: 0,
    monthly_income: 2000,
    residual_rent: 400,
    housing_situation: 'locataire_prive',
    current_surface: 50,
    typology: 'T2',
    communes: ['31555'],
    mutation: false,
    flags: [],
    refusals: 0,
    ...over,
  };
}
const line = (r: ReturnType<typeof scoreDemand>, id: string) => r.sections.flatMap((s) => s.lines).find((l) => l.criterion_id === id)!;

describe('worked examples from the published grids (shared/data/rules/cotation)', () => {
  it('Rhône/Lyon (CSF 69): threatened with eviction, alone with 2 children, 1300 €, rent 500 € -> 35 points', () => {
    const d = demand({ epci_siren: '200046977', adults: 1, children: 2, monthly_income: 1300, residual_rent: 500, flags: ['menace_expulsion'] });
    const r = scoreDemand(grids.rhone_lyon_csf69, d, REF);
    expect(r.total).toBe(35);
    expect(line(r, 'menace_expulsion').points).toBe(20);
    expect(line(r, 'parent_isole').points).toBe(5);
    expect(line(r, 'taux_effort_trop_eleve').points).toBe(10);
    expect(deriveFacts(d, REF).taux_effort).toBe(38.5);
  });

  it('Toulouse Métropole: DALO household, demand 40 months old -> 40 + 20 + 50 = 110 points', () => {
    const r = scoreDemand(grids.toulouse_metropole, demand({ filing_date: '2023-07-01', flags: ['dalo'] }), REF);
    expect(r.total).toBe(110);
    expect(line(r, 'anciennete_mois')).toMatchObject({ points: 40, note: '40 mois × 1 point(s) par mois.' });
    expect(line(r, 'delai_anormalement_long').points).toBe(20);
    expect(line(r, 'dalo').points).toBe(50);
    expect(line(r, 'pdalhpd')).toMatchObject({ satisfied: false, points: 0 });
  });

  it('Toulouse Métropole: exactly 36 months is not « plus de 36 mois » -> 36 points', () => {
    const r = scoreDemand(grids.toulouse_metropole, demand({ filing_date: '2023-11-01' }), REF);
    expect(r.total).toBe(36);
    expect(line(r, 'delai_anormalement_long').satisfied).toBe(false);
    // One more month crosses the threshold.
    expect(scoreDemand(grids.toulouse_metropole, demand({ filing_date: '2023-10-01' }), REF).total).toBe(37 + 20);
  });

  it('Paris 2014: both « cesser de cohabiter » and « chez ses parents » -> only the best counts, 2 points', () => {
    const r = scoreDemand(grids.ville_de_paris_2014, demand({ flags: ['decohabitation', 'chez_parents'] }), REF);
    expect(r.total).toBe(2);
    expect(line(r, 'chez_parents')).toMatchObject({ satisfied: true, points: 0 });
    expect(line(r, 'chez_parents').note).toMatch(/seul le critère le plus favorable/);
  });

  it('the fictitious Toulouse v2 draft applies caps and refusal losses', () => {
    const d = demand({ filing_date: '2018-11-01', refusals: 5, flags: ['dalo', 'violences'], housing_situation: 'hotel', current_surface: 10, adults: 2, children: 2 });
    const r = scoreDemand(grids.toulouse_metropole_v2_projet, d, REF);
    // 96 months capped at 60, +20 abnormal delay, best priority 50, housing 20+10 capped at 30, refusals -30.
    expect(r.sections.map((s) => [s.id, s.points])).toEqual([
      ['anciennete', 80],
      ['publics_prioritaires', 50],
      ['logement_actuel', 30],
      ['refus', -30],
    ]);
    expect(r.total).toBe(130);
  });

  it('every demo grid file is valid and its conditions read in French', () => {
    expect(Object.keys(grids).sort()).toEqual(['rhone_lyon_csf69', 'toulouse_metropole', 'toulouse_metropole_v2_projet', 'ville_de_paris_2014']);
    const c = grids.rhone_lyon_csf69.sections[0].criteria[2].condition;
    expect(describeCondition(c, FACT_FIELDS)).toBe('Taux d’effort (% des ressources consacré au loyer) supérieur à 30');
  });
});

describe('grid validation', () => {
  const base = () => structuredClone(grids.toulouse_metropole) as any;
  it('refuses an unknown field, a wrong value type and a duplicated id, naming where', () => {
    const g = base();
    g.sections[0].criteria[0].condition = { field: 'revenu', op: 'gt', value: 3 };
    g.sections[0].criteria[1].id = 'dalo';
    g.sections[0].criteria.push({ id: 'x', label: 'X', points: 1, condition: { field: 'dalo', op: 'gt', value: 'oui' } });
    try {
      parseGrid(g);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GridError);
      const p = (e as GridError).problems.join('\n');
      expect(p).toMatch(/sections\.0\.criteria\.0\.condition : champ inconnu « revenu »/);
      expect(p).toMatch(/sections\.0\.criteria\.1\.id : identifiant « dalo » déjà utilisé/);
      expect(p).toMatch(/« dalo » est oui\/non/);
    }
  });
  it('refuses negative points and a section named like a reserved one', () => {
    const g = base();
    g.sections[0].criteria[0].points = -5;
    g.sections[0].id = 'anciennete';
    expect(() => parseGrid(g)).toThrow(/points.*>=0|anciennete/);
  });
});

describe('facts', () => {
  it('counts whole months of seniority from the first registration, not the renewal', () => {
    expect(monthsBetween('2024-01-31', '2024-02-29')).toBe(0);
    expect(monthsBetween('2024-01-31', '2024-03-01')).toBe(1);
    expect(monthsBetween('2026-12-01', REF)).toBe(0);
    expect(deriveFacts(demand({ filing_date: '2025-11-01', renewal_date: '2026-10-01' }), REF).anciennete_mois).toBe(12);
  });
  it('marks overcrowding with the décence norm (16 m² for two, +9 per person)', () => {
    expect(minimumSurface(1)).toBe(9);
    expect(minimumSurface(4)).toBe(34);
    expect(deriveFacts(demand({ adults: 2, children: 2, current_surface: 33 }), REF).sur_occupation).toBe(true);
    expect(deriveFacts(demand({ adults: 2, children: 2, current_surface: 34 }), REF).sur_occupation).toBe(false);
  });
  it('gives no effort rate, hence no effort points, when income is unknown', () => {
    const d = demand({ monthly_income: null, adults: 1, children: 1 });
    expect(deriveFacts(d, REF).taux_effort).toBeNull();
    expect(scoreDemand(grids.rhone_lyon_csf69, d, REF).total).toBe(5);
  });
});

// ---- properties --------------------------------------------------------------------------------------------

const boolFlag = fc.constantFrom(...PRIORITY_FLAG_NAMES);
const sectionArb = (mode: 'meilleur' | 'somme'): fc.Arbitrary<Section> =>
  fc.record({
    id: fc.constant('s'),
    label: fc.constant('S'),
    mode: fc.constant(mode),
    cap: fc.option(fc.integer({ min: 0, max: 100 })),
    criteria: fc.uniqueArray(fc.tuple(boolFlag, fc.integer({ min: 0, max: 60 })), { minLength: 1, maxLength: 6, selector: ([f]) => f }).map((xs) =>
      xs.map(([f, points]) => ({ id: f, label: f, points, condition: { field: f, op: 'eq' as const, value: true } })),
    ),
  });

describe('properties of sections', () => {
  it('a section never gives more than its cap', () => {
    fc.assert(
      fc.property(fc.oneof(sectionArb('somme'), sectionArb('meilleur')), demandArb, (s, d) => {
        const r = scoreSection(s, deriveFacts(d, REF));
        if (s.cap !== null) expect(r.points).toBeLessThanOrEqual(s.cap);
        expect(r.points).toBeGreaterThanOrEqual(0);
      }),
    );
  });
  it('« meilleur critère » gives the max of the satisfied criteria (before cap)', () => {
    fc.assert(
      fc.property(sectionArb('meilleur'), demandArb, (s, d) => {
        const r = scoreSection(s, deriveFacts(d, REF));
        const satisfied = s.criteria.filter((c) => d.flags.includes(c.id as PriorityFlag)).map((c) => c.points);
        expect(r.raw).toBe(satisfied.length ? Math.max(...satisfied) : 0);
        expect(r.lines.filter((l) => l.points > 0).length).toBeLessThanOrEqual(1);
      }),
    );
  });
  it('adding a satisfied criterion never lowers a « somme » section', () => {
    fc.assert(
      fc.property(sectionArb('somme'), demandArb, fc.integer({ min: 0, max: 60 }), (s, d, pts) => {
        const facts = deriveFacts(d, REF);
        const before = scoreSection(s, facts).points;
        const more = { ...s, criteria: [...s.criteria, { id: 'toujours', label: 'T', points: pts, condition: { field: 'nb_adultes', op: 'gte' as const, value: 1 } }] };
        expect(scoreSection(more, facts).points).toBeGreaterThanOrEqual(before);
      }),
    );
  });
  it('a total is never negative and equals the sum of its sections (floored at 0)', () => {
    fc.assert(
      fc.property(demandArb, (d) => {
        for (const g of Object.values(grids)) {
          const r = scoreDemand(g, d, REF);
          const sum = r.sections.reduce((a, s) => a + s.points, 0);
          expect(r.total).toBeCloseTo(Math.max(0, sum), 6);
        }
      }),
    );
  });
  it('an older demand never scores lower under a grid with seniority', () => {
    fc.assert(
      fc.property(demandArb, fc.integer({ min: 1, max: 60 }), (d, extra) => {
        const [y, m, day] = d.filing_date.split('-').map(Number);
        const total = y * 12 + m - 1 - extra;
        const older = { ...d, filing_date: `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}-${String(Math.min(day, 28)).padStart(2, '0')}` };
        const young = { ...d, filing_date: d.filing_date.slice(0, 8) + String(Math.min(day, 28)).padStart(2, '0') };
        for (const g of [grids.toulouse_metropole, grids.toulouse_metropole_v2_projet]) {
          expect(scoreDemand(g, older, REF).total).toBeGreaterThanOrEqual(scoreDemand(g, young, REF).total);
        }
      }),
    );
  });
});

describe('versions', () => {
  const v = (id: string, valid_from: string, valid_to: string | null) => ({ id, valid_from, valid_to });
  it('finds the grid in force at a date', () => {
    const versions = [v('a', '2021-09-01', '2024-01-01'), v('b', '2024-01-01', null)];
    expect(inForce(versions, '2023-12-31')?.id).toBe('a');
    expect(inForce(versions, '2024-01-01')?.id).toBe('b');
    expect(inForce(versions, '2020-01-01')).toBeUndefined();
  });
  it('detects overlapping periods, end dates excluded', () => {
    const versions = [v('a', '2021-09-01', '2024-01-01')];
    expect(overlapping(versions, v('b', '2024-01-01', null))).toBeUndefined();
    expect(overlapping(versions, v('b', '2023-06-01', null))?.id).toBe('a');
    expect(overlapping([v('a', '2024-01-01', null)], v('b', '2027-01-01', null))?.id).toBe('a');
  });
});

describe('what the applicant is told', () => {
  it('similar demands share the typology and at least one wished commune', () => {
    expect(isSimilar({ typology: 'T3', communes: ['69266', '69259'] }, { typology: 'T3', communes: ['69259'] })).toBe(true);
    expect(isSimilar({ typology: 'T3', communes: ['69266'] }, { typology: 'T2', communes: ['69266'] })).toBe(false);
    expect(isSimilar({ typology: 'T3', communes: ['69266'] }, { typology: 'T3', communes: ['69029'] })).toBe(false);
  });
  it('withholds the distribution below the secrecy threshold and says why', () => {
    const r = scoreDistribution([10, 20, 30], 20, 11);
    expect(r).toEqual({ withheld: true, reason: 'Moins de 11 cas comparables : le chiffre n’est pas publié, pour protéger la vie privée des personnes concernées.' });
  });
  it('places a score among similar ones; small bands are merged', () => {
    const scores = [...Array(30).keys()].concat([95]);
    const r = scoreDistribution(scores, 30, 11);
    if (r.withheld) throw new Error('withheld');
    expect(r.count).toBe(31);
    expect(r.share_below).toBe(Math.round((30 / 31) * 100));
    expect(r.quartiles[1]).toBe(15);
    // 0-19: 20 scores; 20-29 (10) and 95 (1) make the last band 20-100.
    expect(r.bands).toEqual([
      { from: 0, to: 20, count: 20 },
      { from: 20, to: 100, count: 11 },
    ]);
  });
  it('never publishes a band below the threshold, and the bands count every score', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 11, maxLength: 200 }), fc.integer({ min: 1, max: 30 }), (scores, min) => {
        const r = scoreDistribution(scores, 50, min);
        if (scores.length < min) {
          expect(r.withheld).toBe(true);
          return;
        }
        if (r.withheld) throw new Error('withheld');
        expect(r.bands.every((b) => b.count >= min)).toBe(true);
        expect(r.bands.reduce((a, b) => a + b.count, 0)).toBe(scores.length);
        expect(r.bands.every((b, i) => i === 0 || b.from === r.bands[i - 1].to)).toBe(true);
      }),
    );
  });
  it('computes observed waiting times in months, median and mean', () => {
    const atts = [6, 12, 18, 24, 30].map((m) => ({ filing_date: '2020-01-01', attribution_date: `${2020 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01` }));
    expect(waitingTimes(atts, 5)).toEqual({ withheld: false, count: 5, median_months: 18, mean_months: 18 });
    expect(waitingTimes(atts, 6)).toMatchObject({ withheld: true });
  });
});

describe('simulation and export helpers', () => {
  it('ranks equal scores together', () => {
    expect(ranks([10, 30, 30, 5])).toEqual([3, 1, 1, 4]);
  });
  it('says who goes up and down and by how much', () => {
    const s = compareScores([
      { number: 'A', before: 10, after: 30 },
      { number: 'B', before: 40, after: 20 },
      { number: 'C', before: 5, after: 5 },
    ]);
    expect(s).toMatchObject({ count: 3, up: 1, down: 1, same: 1, max_up: 20, max_down: -20, mean_delta: 0 });
    expect(s.rows.find((r) => r.number === 'A')).toMatchObject({ rank_before: 2, rank_after: 1 });
    expect(s.rows[0].number).toBe('B');
  });
  it('puts ages and incomes in bands', () => {
    expect(ageBand('2000-11-02', REF)).toBe('25-34 ans');
    expect(ageBand('2001-11-02', REF)).toBe('moins de 25 ans');
    expect(ageBand(null, REF)).toBe('inconnu');
    expect(incomeBand(1499)).toBe('1000-1500 €');
    expect(incomeBand(3000)).toBe('3000 € ou plus');
    expect(incomeBand(0)).toBe('0-500 €');
  });
  it('both grids of a simulation score the same demands', () => {
    const g: Grid = grids.toulouse_metropole;
    expect(scoreDemand(g, demand(), REF).grid_version).toBe(1);
  });
});
