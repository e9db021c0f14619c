import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  behindAlert,
  canTransition,
  isStalled,
  matchReason,
  monthsBetween,
  normaliseAddress,
  PIPELINE,
  progress,
  stalledAlert,
  STATES,
  transitionRefusal,
  type MatchCandidate,
  type ProgrammeState,
} from './model.ts';

const state = fc.constantFrom(...STATES);

describe('pipeline state rules', () => {
  it('never goes back along the pipeline, and final states have no way out', () => {
    // The order written out here, not taken from the model: the test says what the pipeline is.
    const rank: Record<ProgrammeState, number> = { project: 0, permit_filed: 1, permit_granted: 2, works_started: 3, delivered: 4, abandoned: 5 };
    // Final states: nothing at all leaves them.
    for (const to of STATES) {
      expect(canTransition('delivered', to), `delivered → ${to}`).toBe(false);
      expect(canTransition('abandoned', to), `abandoned → ${to}`).toBe(false);
    }
    // Never back, never in place: every pair where the target is not further along is refused, with a reason.
    const back: [ProgrammeState, ProgrammeState][] = [['permit_granted', 'permit_filed'], ['works_started', 'project'], ['permit_filed', 'permit_filed'], ['delivered', 'works_started']];
    for (const [from, to] of back) {
      expect(canTransition(from, to), `${from} → ${to}`).toBe(false);
      expect(transitionRefusal(from, to)).toBeTruthy();
    }
    fc.assert(
      fc.property(state, state, (from, to) => {
        const ok = canTransition(from, to);
        // Anything allowed moves strictly forward (abandoning is the last step, reachable from any open state).
        if (ok) expect(rank[to]).toBeGreaterThan(rank[from]);
        // A step back is never allowed.
        if (rank[to] <= rank[from]) expect(ok).toBe(false);
        // An open programme may always be abandoned or moved forward.
        if (from !== 'delivered' && from !== 'abandoned' && rank[to] > rank[from]) expect(ok).toBe(true);
        expect(transitionRefusal(from, to) === undefined).toBe(ok);
      }),
    );
  });

  it('any walk of allowed moves is at most five steps and ends delivered, abandoned or still moving forward', () => {
    fc.assert(
      fc.property(fc.array(state, { maxLength: 30 }), (wanted) => {
        let cur: ProgrammeState = 'project';
        const path: ProgrammeState[] = [cur];
        for (const to of wanted) if (canTransition(cur, to)) path.push((cur = to));
        expect(path.length).toBeLessThanOrEqual(6);
        const forward = path.filter((s) => s !== 'abandoned').map((s) => PIPELINE.indexOf(s));
        expect(forward).toEqual([...forward].sort((a, b) => a - b));
        if (path.includes('abandoned')) expect(path.indexOf('abandoned')).toBe(path.length - 1);
      }),
    );
  });

  it('explains a refusal in French', () => {
    expect(transitionRefusal('works_started', 'permit_granted')).toBe('Passage de « Chantier ouvert » à « PC accordé » interdit : un programme ne revient pas en arrière.');
    expect(transitionRefusal('delivered', 'abandoned')).toMatch(/livré ne change plus/);
  });
});

describe('duplicate matching', () => {
  const candidate = fc.record<MatchCandidate>({
    communeCode: fc.constantFrom('31555', '31069', '69123'),
    permits: fc.array(fc.constantFrom('03155524C0301', '03155511C1330', '06912320C0001'), { maxLength: 2 }),
    address: fc.option(fc.constantFrom('12 rue des Lilas', '12 RUE DES LILAS', '4 av. du Parc', '4 AVENUE DU PARC', '7 chemin de la Plaine'), { nil: null }),
    lat: fc.option(fc.double({ min: 43.55, max: 43.65, noNaN: true }), { nil: null }),
    lon: fc.option(fc.double({ min: 1.4, max: 1.5, noNaN: true }), { nil: null }),
    units: fc.integer({ min: 1, max: 300 }),
  });

  it('is symmetric', () => {
    fc.assert(fc.property(candidate, candidate, (a, b) => {
      expect(!!matchReason(a, b)).toBe(!!matchReason(b, a));
    }));
  });

  it('always matches a shared permit number, and never two communes without one', () => {
    fc.assert(
      fc.property(candidate, candidate, (a, b) => {
        const shared = a.permits.some((p) => b.permits.includes(p));
        if (shared) expect(matchReason(a, b)).toMatch(/^même permis/);
        else if (a.communeCode !== b.communeCode) expect(matchReason(a, b)).toBeUndefined();
      }),
    );
  });

  it('matches the same address written two ways with a close unit count, not a different size', () => {
    const a = { communeCode: '31555', permits: [], address: '12 av. de l’Église', units: 40 };
    expect(matchReason(a, { ...a, address: '12 AVENUE DE L EGLISE', units: 42 })).toMatch(/même adresse/);
    expect(matchReason(a, { ...a, address: '12 AVENUE DE L EGLISE', units: 60 })).toBeUndefined();
    expect(matchReason({ ...a, address: null, lat: 43.6, lon: 1.44 }, { ...a, address: null, lat: 43.6005, lon: 1.4403 })).toMatch(/à \d+ m/);
    expect(matchReason({ ...a, address: null, lat: 43.6, lon: 1.44 }, { ...a, address: null, lat: 43.61, lon: 1.44 })).toBeUndefined();
  });

  it('normalises addresses idempotently', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      expect(normaliseAddress(normaliseAddress(s))).toBe(normaliseAddress(s));
    }));
    expect(normaliseAddress('34 rue du Capitaine-Escudié')).toBe('34 RUE CAPITAINE ESCUDIE');
  });
});

describe('progress against a PLH target', () => {
  const target = { communeCode: '31555', periodStart: 2020, periodEnd: 2025, total: 6000, social: 2100, sru: true };

  it('computes the pace needed over the years left, the current one included', () => {
    const p = progress(target, { authorised: 2000, authorisedSocial: 500, started: 1500, delivered: 900 }, new Date('2023-01-01T00:00:00Z'));
    expect(p.elapsed).toBeCloseTo(0.5, 2);
    expect(p.yearsLeft).toBe(3);
    expect(p.pacePerYear).toBeCloseTo(4000 / 3);
    expect(p.pacePerYearSocial).toBeCloseTo(1600 / 3);
    expect(p.behind).toBe(true);
    expect(p.rate).toBeCloseTo(1 / 3);
  });

  it('asks for the whole remainder once the period is over', () => {
    const p = progress(target, { authorised: 6500, authorisedSocial: 2000, started: 0, delivered: 0 }, new Date('2027-05-01T00:00:00Z'));
    expect(p).toMatchObject({ yearsLeft: 0, remaining: 0, remainingSocial: 100, pacePerYear: 0, pacePerYearSocial: 100, behind: true, behindTotal: false, behindSocial: true });
  });

  it('never asks for a faster pace when more has been authorised', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8000 }), fc.integer({ min: 0, max: 8000 }), fc.date({ min: new Date('2019-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }), (x, y, now) => {
        const [lo, hi] = x < y ? [x, y] : [y, x];
        const a = progress(target, { authorised: lo, authorisedSocial: 0, started: 0, delivered: 0 }, now);
        const b = progress(target, { authorised: hi, authorisedSocial: 0, started: 0, delivered: 0 }, now);
        expect(b.pacePerYear).toBeLessThanOrEqual(a.pacePerYear);
        expect(a.remaining + lo).toBeGreaterThanOrEqual(target.total);
      }),
    );
  });
});

describe('alert rules', () => {
  it('counts whole months', () => {
    expect(monthsBetween(new Date('2024-01-31T00:00:00Z'), new Date('2024-02-29T00:00:00Z'))).toBe(0);
    expect(monthsBetween(new Date('2024-01-15T00:00:00Z'), new Date('2025-07-15T00:00:00Z'))).toBe(18);
  });

  it('calls a granted permit stalled after 18 months without works, until it lapses at 5 years', () => {
    const since = new Date('2020-01-10T00:00:00Z');
    expect(isStalled('permit_granted', since, new Date('2021-07-09T00:00:00Z'))).toBe(false);
    expect(isStalled('permit_granted', since, new Date('2021-07-10T00:00:00Z'))).toBe(true);
    expect(isStalled('permit_granted', since, new Date('2025-01-10T00:00:00Z'))).toBe(false);
    expect(isStalled('delivered', since, new Date('2030-01-01T00:00:00Z'))).toBe(false);
    const a = stalledAlert({ id: 'x', name: 'Les Jardins', communeCode: '31555', state: 'permit_granted', stateSince: since }, new Date('2022-01-10T00:00:00Z'));
    expect(a?.message).toBe('Le programme « Les Jardins » est à l’état « PC accordé » depuis 24 mois (seuil : 18 mois).');
  });

  it('raises a commune behind its pace once per commune, period and year', () => {
    const t = { communeCode: '31069', periodStart: 2022, periodEnd: 2027, total: 600, social: 200, sru: true };
    const late = behindAlert('Blagnac', t, { authorised: 100, authorisedSocial: 20, started: 0, delivered: 0 }, new Date('2025-01-01T00:00:00Z'));
    expect(late?.key).toBe('commune_behind:31069:2022:2025');
    expect(late?.message).toMatch(/^Blagnac est en retard sur son objectif PLH 2022–2027 : 100 logements autorisés pour 300 attendus/);
    expect(behindAlert('Blagnac', t, { authorised: 400, authorisedSocial: 150, started: 0, delivered: 0 }, new Date('2025-01-01T00:00:00Z'))).toBeUndefined();
  });
});
