// fast-check arbitraries shared by the demand module's property tests.
import fc from 'fast-check';
import { type Demand, PRIORITY_FLAG_NAMES, type PriorityFlag } from './model.ts';

/** Any plausible active demand of the demo EPCI, wishing Villeurbanne. */
export const demandArb: fc.Arbitrary<Demand> = fc.record({
  number: fc.constant('069SYN00000001'),
  epci_siren: fc.constant('200046977'),
  filing_date: fc.date({ min: new Date('2015-01-01'), max: new Date('2026-11-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  renewal_date: fc.constant(null),
  status: fc.constant('active' as const),
  adults: fc.integer({ min: 1, max: 3 }),
  children: fc.integer({ min: 0, max: 6 }),
  monthly_income: fc.option(fc.integer({ min: 0, max: 6000 })),
  residual_rent: fc.option(fc.integer({ min: 0, max: 2000 })),
  housing_situation: fc.constantFrom('locataire_hlm', 'hotel', 'sans_abri', 'heberge_famille', 'structure_hebergement', 'autre' as const),
  current_surface: fc.option(fc.integer({ min: 5, max: 150 })),
  typology: fc.constantFrom('T1', 'T2', 'T3' as const),
  communes: fc.constant(['69266']),
  mutation: fc.boolean(),
  flags: fc.subarray(PRIORITY_FLAG_NAMES) as fc.Arbitrary<PriorityFlag[]>,
  refusals: fc.integer({ min: 0, max: 5 }),
});
