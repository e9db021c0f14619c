// Freshness against the charter and the trend of valid shares, at fixed dates.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { complianceOf, trendDirection, type DeliveryFact } from './compliance.ts';

const frequencies = { mensuelle: { libelle: 'chaque mois', jours: 31 }, annuelle: { libelle: 'chaque année', jours: 366 } };
const permis = { schema: 'permis-declares', frequence: 'mensuelle', obligatoire: true, delai_de_grace_jours: 10 };
const fact = (date: string, status: DeliveryFact['status'], rowsValid: number, rowsTotal: number, schemaName = 'permis-declares'): DeliveryFact => ({
  schemaName,
  receivedAt: new Date(date),
  status,
  rowsValid,
  rowsTotal,
});

describe('freshness', () => {
  it('is up to date until frequency plus grace after the last accepted delivery, then late', () => {
    const deliveries = [fact('2025-05-02T10:00:00Z', 'acceptee', 12, 12), fact('2025-06-01T10:00:00Z', 'refusee', 0, 9)];
    const [onTime] = complianceOf([permis], frequencies, deliveries, new Date('2025-06-12T10:00:00Z'));
    expect(onTime).toMatchObject({ freshness: 'up_to_date', due_date: '2025-06-12T10:00:00.000Z', last_accepted: '2025-05-02T10:00:00.000Z' });
    expect(onTime.last_delivery).toEqual({ date: '2025-06-01T10:00:00.000Z', status: 'refusee', valid_share: 0 });
    const [late] = complianceOf([permis], frequencies, deliveries, new Date('2025-06-12T10:00:01Z'));
    expect(late.freshness).toBe('late');
  });

  it('counts a partly accepted delivery, not a refused one', () => {
    expect(complianceOf([permis], frequencies, [fact('2025-06-01', 'refusee', 3, 9)], new Date('2025-06-02'))[0].freshness).toBe('never_delivered');
    expect(complianceOf([permis], frequencies, [fact('2025-06-01', 'partielle', 3, 9)], new Date('2025-06-02'))[0].freshness).toBe('up_to_date');
  });

  it('lists a feed delivered outside the charter without judging its freshness', () => {
    const out = complianceOf([permis], frequencies, [fact('2025-06-01', 'acceptee', 5, 5, 'incidents-batiments')], new Date('2025-06-02'));
    expect(out.map((f) => [f.schema, f.expected, f.freshness])).toEqual([
      ['permis-declares', true, 'never_delivered'],
      ['incidents-batiments', false, null],
    ]);
  });

  it('computes the share of valid rows over all deliveries and its trend', () => {
    const deliveries = [fact('2025-03-01', 'partielle', 5, 10), fact('2025-04-01', 'partielle', 8, 10), fact('2025-05-01', 'acceptee', 10, 10)];
    const [f] = complianceOf([permis], frequencies, deliveries, new Date('2025-05-02'));
    expect(f.valid_share).toBeCloseTo(23 / 30);
    expect(f.trend.map((t) => t.valid_share)).toEqual([0.5, 0.8, 1]);
    expect(f.direction).toBe('up');
  });
});

describe('trend direction', () => {
  it('needs two known shares, and is symmetrical', () => {
    expect(trendDirection([0.9])).toBeNull();
    expect(trendDirection([null, 0.9])).toBeNull();
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 6 }), (xs) => {
        const mirrored = trendDirection(xs.map((x) => 1 - x));
        const direct = trendDirection(xs);
        const flip = { up: 'down', down: 'up', stable: 'stable' } as const;
        // Rounding at exactly ±2 points may tip either way; away from it the directions mirror.
        const last = xs.at(-1)!;
        const mean = xs.slice(0, -1).reduce((a, b) => a + b, 0) / (xs.length - 1);
        if (Math.abs(Math.abs(last - mean) - 0.02) > 1e-9) expect(mirrored).toBe(flip[direct!]);
      }),
    );
  });
});
