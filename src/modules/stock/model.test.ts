import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DPE_CLASSES,
  RENTAL_BAN_CALENDAR,
  classUnder,
  classDistribution,
  dpeClassFromValues,
  durationSummaries,
  emptyCounts,
  exposure,
  isRentalBanned,
  mayNotify,
  normaliseContactAddress,
  parseDpeClass,
  publishCount,
  publishSum,
  protectDistribution,
  renovationPriorities,
  retentionEnd,
  transitionProblem,
  worseClass,
  type ClassCounts,
  type DpeClass,
} from './model.ts';

const dayArb = fc.date({ min: new Date('2000-01-01'), max: new Date('2060-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const classArb = fc.constantFrom(...DPE_CLASSES);

describe('rental-ban calendar', () => {
  it('follows the law: G from 2025, F from 2028, E from 2034, never A to D', () => {
    expect(isRentalBanned('G', '2024-12-31')).toBe(false);
    expect(isRentalBanned('G', '2025-01-01')).toBe(true);
    expect(isRentalBanned('F', '2027-12-31')).toBe(false);
    expect(isRentalBanned('F', '2028-01-01')).toBe(true);
    expect(isRentalBanned('E', '2033-12-31')).toBe(false);
    expect(isRentalBanned('E', '2034-01-01')).toBe(true);
    for (const c of ['A', 'B', 'C', 'D'] as DpeClass[]) expect(isRentalBanned(c, '2099-01-01')).toBe(false);
  });

  it('a dwelling banned on a day stays banned on every later day', () => {
    fc.assert(
      fc.property(classArb, dayArb, dayArb, (c, d1, d2) => {
        const [early, late] = d1 <= d2 ? [d1, d2] : [d2, d1];
        if (isRentalBanned(c, early)) expect(isRentalBanned(c, late)).toBe(true);
      }),
    );
  });

  it('a worse class is banned whenever a better one is', () => {
    fc.assert(
      fc.property(classArb, classArb, dayArb, (a, b, d) => {
        if (isRentalBanned(a, d)) expect(isRentalBanned(worseClass(a, b), d)).toBe(true);
      }),
    );
  });

  it('exposure steps grow and never exceed the known dwellings', () => {
    const countsArb = fc.record(Object.fromEntries([...DPE_CLASSES, 'unknown'].map((k) => [k, fc.nat(10_000)])) as any);
    fc.assert(
      fc.property(countsArb, dayArb, (counts: any, day) => {
        const e = exposure(counts, day);
        const steps = e.steps.map((s) => s.banned_dwellings);
        for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThanOrEqual(steps[i - 1]);
        expect(steps[steps.length - 1]).toBeLessThanOrEqual(e.known);
        expect(e.total).toBe(e.known + e.unknown);
      }),
    );
  });

  it('counts dwellings banned today and at each step', () => {
    const counts = classDistribution([
      { dpe: 'G', n: 3 },
      { dpe: 'F', n: 5 },
      { dpe: 'E', n: 7 },
      { dpe: 'C', n: 10 },
      { dpe: null, n: 4 },
    ]);
    const e = exposure(counts, '2026-06-01');
    expect(e.banned_today).toBe(3);
    expect(e.steps.map((s) => s.banned_dwellings)).toEqual([3, 8, 15]);
    expect(e.unknown).toBe(4);
    expect(e.steps[2].share_of_known).toBe(60);
  });
});

describe('one DPE rule for the platform', () => {
  it('the aids table shows the thresholds and the calendar this rule applies', () => {
    // The aids module computes with this module's rule; its published table must say the same figures and dates.
    const table = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'aids', 'tables', 'renovation', 'dpe.json'), 'utf8'));
    const energy = table.energy_bounds_kwhep_m2_year;
    const climate = table.ghg_bounds_kgco2eq_m2_year;
    // At each of the table's bounds and just above it, this rule gives the class the table gives.
    for (const c of DPE_CLASSES.slice(0, 6))
      for (const v of [energy[c], energy[c] + 0.1]) expect(dpeClassFromValues(v, 0), `énergie ${v}`).toBe(classUnder(v, energy));
    for (const c of DPE_CLASSES.slice(0, 6))
      for (const v of [climate[c], climate[c] + 0.1]) expect(dpeClassFromValues(0, v), `climat ${v}`).toBe(classUnder(v, climate));
    expect(table.rental_bans.map((s: { class: string; from: string }) => [s.class, s.from])).toEqual(
      RENTAL_BAN_CALENDAR.map((s) => [s.excludes, s.from]),
    );
  });
});

describe('DPE classes', () => {
  it('reads labels and treats « Inconnu » as unknown', () => {
    expect(parseDpeClass(' c ')).toBe('C');
    expect(parseDpeClass('Inconnu')).toBeNull();
    expect(parseDpeClass('')).toBeNull();
    expect(parseDpeClass('H')).toBeNull();
  });

  it('takes the worse of the energy and climate classes, bounds included', () => {
    expect(dpeClassFromValues(70, 6)).toBe('A');
    expect(dpeClassFromValues(70.1, 6)).toBe('B');
    expect(dpeClassFromValues(112.6, 3.2)).toBe('C'); // a real row of the ADEME extract (N°DPE 2469N0892797M, label C)
    expect(dpeClassFromValues(100, 101)).toBe('G');
    expect(dpeClassFromValues(421, 1)).toBe('G');
  });

  it('is monotone: more consumption or emissions never gives a better class', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 800, noNaN: true }), fc.double({ min: 0, max: 800, noNaN: true }), fc.double({ min: 0, max: 150, noNaN: true }), (e1, e2, g) => {
        const [lo, hi] = e1 <= e2 ? [e1, e2] : [e2, e1];
        expect(DPE_CLASSES.indexOf(dpeClassFromValues(hi, g))).toBeGreaterThanOrEqual(DPE_CLASSES.indexOf(dpeClassFromValues(lo, g)));
      }),
    );
  });
});

describe('renovation priorities', () => {
  it('lists banned buildings first, then the nearest deadline, then the largest', () => {
    const list = renovationPriorities(
      [
        { id: 'a', label: 'A', commune_code: '69388', dpe: 'E', dwellings_count: 100 },
        { id: 'b', label: 'B', commune_code: '69388', dpe: 'G', dwellings_count: 4 },
        { id: 'c', label: 'C', commune_code: '69388', dpe: 'F', dwellings_count: 30 },
        { id: 'd', label: 'D', commune_code: '69388', dpe: 'F', dwellings_count: 60 },
        { id: 'e', label: 'E', commune_code: '69388', dpe: 'C', dwellings_count: 500 },
        { id: 'f', label: 'F', commune_code: '69388', dpe: null, dwellings_count: 50 },
      ],
      '2026-01-01',
    );
    expect(list.map((p) => p.id)).toEqual(['b', 'd', 'c', 'a']);
    expect(list[0].reason).toMatch(/interdite depuis le 01\/01\/2025/);
    expect(list[1].reason).toMatch(/à partir du 01\/01\/2028/);
  });
});

describe('secrecy', () => {
  const countsArb = fc.record(Object.fromEntries([...DPE_CLASSES, 'unknown'].map((k) => [k, fc.oneof(fc.constant(0), fc.nat(15), fc.nat(2000))])) as any) as fc.Arbitrary<ClassCounts>;
  const subsetArb = fc.subarray([...DPE_CLASSES, 'unknown'] as const);

  it('never lets a withheld class be worked out from the published figures (property)', () => {
    fc.assert(
      fc.property(countsArb, fc.integer({ min: 2, max: 20 }), subsetArb, (counts, min, subset) => {
        const p = protectDistribution(counts, min);
        const keys = Object.keys(counts) as (keyof ClassCounts)[];
        const hidden = keys.filter((k) => p.cells[k].withheld);
        for (const k of keys) if (!p.cells[k].withheld) expect(p.cells[k].value === 0 || p.cells[k].value! >= min).toBe(true);
        // What the total minus the published cells reveals: the withheld cells' sum, never a small non-zero number.
        const hiddenSum = hidden.reduce((s, k) => s + counts[k], 0);
        if (!p.total.withheld) expect(hiddenSum === 0 || hiddenSum >= min).toBe(true);
        // A published sum of classes is always computable from published figures (it adds nothing).
        const sum = publishSum(counts, p, subset as any);
        if (!sum.withheld) {
          const inside = subset.every((k) => !p.cells[k].withheld);
          const outside = !p.total.withheld && keys.filter((k) => !subset.includes(k as any)).every((k) => !p.cells[k].withheld);
          expect(inside || outside).toBe(true);
        }
      }),
    );
  });

  it('withholds one more class when a single withheld class could be deduced from the total', () => {
    const p = protectDistribution({ ...emptyCounts(), C: 40, D: 30, F: 4 }, 11);
    expect(p.total).toEqual({ value: 74, withheld: false });
    expect(p.cells.F.withheld).toBe(true);
    expect(p.cells.D).toMatchObject({ withheld: true, reason: expect.stringMatching(/secret secondaire/) });
    expect(p.cells.C).toEqual({ value: 40, withheld: false });
    expect(publishSum({ ...emptyCounts(), C: 40, D: 30, F: 4 }, p, ['G', 'F'])).toMatchObject({ withheld: true });
  });

  it('withholds small non-zero counts', () => {
    expect(publishCount(0, 11)).toEqual({ value: 0, withheld: false });
    expect(publishCount(10, 11).withheld).toBe(true);
    expect(publishCount(11, 11)).toEqual({ value: 11, withheld: false });
  });
});

describe('incidents', () => {
  it('refuses to reopen a resolved incident', () => {
    expect(transitionProblem('resolu', 'en-cours')).toMatch(/déjà résolu/);
    expect(transitionProblem('ouvert', 'resolu')).toBeNull();
  });

  it('summarises durations of resolved incidents and the age of open ones', () => {
    const t = (h: number) => new Date(Date.UTC(2025, 0, 1) + h * 3_600_000);
    const s = durationSummaries(
      [
        { key: 'b1', started_at: t(0), resolved_at: t(10) },
        { key: 'b1', started_at: t(0), resolved_at: t(30) },
        { key: 'b1', started_at: t(40), resolved_at: null },
        { key: 'b2', started_at: t(5), resolved_at: t(6) },
      ],
      t(50),
    );
    expect(s[0]).toMatchObject({ key: 'b1', incidents: 3, resolved: 2, open: 1, mean_duration_h: 20, median_duration_h: 20, max_duration_h: 30, oldest_open_h: 10 });
    expect(s[1]).toMatchObject({ key: 'b2', mean_duration_h: 1 });
  });
});

describe('contacts', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const base = { consent: true, purpose: 'incident_alerts', withdrawn_at: null, retention_until: retentionEnd(new Date('2025-06-01')) };

  it('notifies only consenting contacts for this purpose, not withdrawn, within retention', () => {
    expect(mayNotify(base, now)).toBe(true);
    expect(mayNotify({ ...base, consent: false }, now)).toBe(false);
    expect(mayNotify({ ...base, purpose: 'prospection' }, now)).toBe(false);
    expect(mayNotify({ ...base, withdrawn_at: now }, now)).toBe(false);
    expect(mayNotify({ ...base, retention_until: now }, now)).toBe(false);
  });

  it('keeps a contact 36 months after opt-in', () => {
    expect(retentionEnd(new Date('2025-06-01T00:00:00Z')).toISOString()).toBe('2028-06-01T00:00:00.000Z');
  });

  it('normalises French phone numbers and e-mails, refuses the rest in French', () => {
    expect(normaliseContactAddress('sms', '06 12 34 56 78')).toEqual({ ok: true, value: '+33612345678' });
    expect(normaliseContactAddress('sms', '+33 6.12.34.56.78')).toEqual({ ok: true, value: '+33612345678' });
    expect(normaliseContactAddress('email', ' Locataire@Exemple.FR ')).toEqual({ ok: true, value: 'locataire@exemple.fr' });
    const bad = normaliseContactAddress('sms', '12345');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/Numéro de téléphone français invalide/);
  });

  it('never accepts an address that is not a French number as a phone (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = normaliseContactAddress('sms', s);
        if (r.ok) expect(r.value).toMatch(/^\+33[1-9]\d{8}$/);
      }),
    );
  });

  it('distribution counts unknown classes apart', () => {
    const c = classDistribution([{ dpe: null, n: 2 }]);
    expect(c).toEqual({ ...emptyCounts(), unknown: 2 });
  });
});
