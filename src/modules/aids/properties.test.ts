// Properties every answer must keep, whatever the household: more income never makes a household newly
// eligible, a larger household is never worse off, and unknown never turns into a firm answer by itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MPR_CATEGORIES, ZONES_ABC, ZONES_HLM, type Verdict } from './model.ts';
import { simulateOwnership } from './simulators/ownership.ts';
import { simulateRenovation } from './simulators/renovation.ts';
import { simulateSocialHousing } from './simulators/social-housing.ts';
import { tables } from './tables.ts';

const t = tables();
const RANK: Record<Verdict, number> = { non_eligible: 0, inconnu: 1, eligible: 2 };
const verdicts = (a: { aides: { id: string; verdict: Verdict }[] }) => Object.fromEntries(a.aides.map((x) => [x.id, x.verdict]));

const social = fc.record({
  annee: fc.integer({ min: 2023, max: 2027 }),
  zone_logement_social: fc.constantFrom(...ZONES_HLM),
  personnes: fc.integer({ min: 1, max: 10 }),
  personne_seule_avec_charge: fc.boolean(),
  jeune_menage: fc.boolean(),
  handicap: fc.boolean(),
  revenu_fiscal: fc.integer({ min: 0, max: 150_000 }),
});

const ownership = fc.record({
  annee: fc.integer({ min: 2024, max: 2027 }),
  zone_abc: fc.constantFrom(...ZONES_ABC),
  personnes: fc.integer({ min: 1, max: 10 }),
  revenu_fiscal: fc.integer({ min: 0, max: 250_000 }),
  proprietaire_2_ans: fc.boolean(),
  type_logement: fc.constantFrom('neuf', 'ancien_avec_travaux', 'ancien_sans_travaux'),
  cout_operation: fc.integer({ min: 0, max: 1_000_000 }),
});

describe('more income never makes a household newly eligible', () => {
  it('social housing', () => {
    fc.assert(
      fc.property(social, fc.integer({ min: 1, max: 50_000 }), (h, more) => {
        const a = verdicts(simulateSocialHousing(h, t));
        const b = verdicts(simulateSocialHousing({ ...h, revenu_fiscal: h.revenu_fiscal + more }, t));
        for (const id of Object.keys(a)) expect(RANK[b[id]!]).toBeLessThanOrEqual(RANK[a[id]!]);
      }),
      { numRuns: 300 },
    );
  });

  it('aided ownership (income and operation cost)', () => {
    fc.assert(
      fc.property(ownership, fc.integer({ min: 1, max: 50_000 }), fc.integer({ min: 0, max: 300_000 }), (h, more, dearer) => {
        const a = verdicts(simulateOwnership(h as any, t));
        const b = verdicts(simulateOwnership({ ...h, revenu_fiscal: h.revenu_fiscal + more, cout_operation: h.cout_operation + dearer } as any, t));
        for (const id of Object.keys(a)) expect(RANK[b[id]!]).toBeLessThanOrEqual(RANK[a[id]!]);
      }),
      { numRuns: 300 },
    );
  });

  it('MaPrimeRénov’: the income category never goes down as income goes up', () => {
    const category = (resume: string) => ['très modestes', '« modestes', 'intermédiaires', 'supérieurs'].findIndex((l) => resume.includes(l));
    fc.assert(
      fc.property(
        fc.integer({ min: 2024, max: 2027 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 1, max: 50_000 }),
        (annee, idf, personnes, revenu, more) => {
          const ask = (r: number) =>
            simulateRenovation({ annee, ile_de_france: idf, personnes, revenu_fiscal: r, statut: 'proprietaire_occupant', logement_plus_15_ans: true }, t)
              .aides[0]!.resume;
          expect(category(ask(revenu + more))).toBeGreaterThanOrEqual(category(ask(revenu)));
          expect(category(ask(revenu))).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('more persons never lowers a ceiling', () => {
  it('social housing: eligible with n persons stays eligible with n + 1', () => {
    let eligibleBefore = 0;
    fc.assert(
      fc.property(social, (h) => {
        const a = verdicts(simulateSocialHousing(h, t));
        const b = simulateSocialHousing({ ...h, personnes: h.personnes + 1 }, t).aides;
        for (const id of Object.keys(a)) {
          if (a[id] !== 'eligible') continue;
          eligibleBefore++;
          const after = b.find((x) => x.id === id)!;
          // PLAI tables are partial: only a missing cell for the larger household may leave it open, and the answer
          // then names the missing table. Never refused.
          if (after.verdict === 'inconnu') {
            expect(id).toBe('PLAI');
            expect(after.manque.join(' ')).toMatch(/plafond PLAI \d{4} \((barème non disponible|seul le barème \d{4} est disponible)\)/);
          } else expect(after.verdict).toBe('eligible');
        }
      }),
      { numRuns: 300 },
    );
    expect(eligibleBefore).toBeGreaterThan(50); // the property was exercised, not vacuously true
  });

  it('aided ownership: eligible with n persons stays eligible with n + 1', () => {
    fc.assert(
      fc.property(ownership, (h) => {
        const a = verdicts(simulateOwnership(h as any, t));
        const b = verdicts(simulateOwnership({ ...h, personnes: h.personnes + 1 } as any, t));
        for (const id of Object.keys(a)) if (a[id] === 'eligible') expect(b[id]).toBe('eligible');
      }),
      { numRuns: 300 },
    );
  });
});

it('every condition of every answer states its figures or says what is missing', () => {
  fc.assert(
    fc.property(social, fc.option(fc.constantFrom('31555', '69123', '31003', 'autre'), { nil: undefined }), (h, commune) => {
      const a = simulateSocialHousing({ ...h, commune, zone_logement_social: commune && commune !== 'autre' ? undefined : h.zone_logement_social }, t);
      for (const aid of a.aides) {
        for (const c of aid.conditions) {
          expect(c.texte).toMatch(/€|non renseigné|non disponible/);
          if (c.statut !== 'inconnue') expect(c.texte).toMatch(/[≤>]/);
        }
        if (aid.verdict === 'inconnu') expect(aid.manque.length).toBeGreaterThan(0);
      }
    }),
    { numRuns: 200 },
  );
  expect(MPR_CATEGORIES).toHaveLength(4);
});
