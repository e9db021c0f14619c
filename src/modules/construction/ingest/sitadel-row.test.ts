import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMUNE_CODE } from '../../territory/index.ts';
import { parseSitadelRecord, REQUIRED_COLUMNS, sitadelSteps } from './sitadel-row.ts';

// The first data line of the Toulouse 2026-01 edition (03155511C1330), keyed by lower-cased code.
const REAL: Record<string, string> = {
  comm: '31555', type_dau: 'PC', num_dau: '03155511C1330', etat_dau: '5', date_reelle_autorisation: '2013-06-28', date_reelle_doc: '2014-03-03',
  date_reelle_daact: '', an_depot: '2011', dpc_dern: '2014-04', nb_lgt_tot_crees: '6', nb_lgt_ind_crees: '0', nb_lgt_col_crees: '6', nb_lgt_indiv_purs: '0',
  nb_lgt_indiv_groupes: '0', nb_lgt_res: '0', nb_lgt_col_hors_res: '6', nb_lgt_pret_loc_social: '0', nb_lgt_acc_soc_hors_ptz: '0',
  adr_num_ter: '34', adr_typevoie_ter: '', adr_libvoie_ter: 'RUE DU CAPITAINE ESCUDIE', denom_dem: '',
};

describe('a Sitadel line', () => {
  it('becomes a permit with its dwellings, address and pipeline steps', () => {
    const r = parseSitadelRecord(REAL, 3, 'f.csv');
    expect(r.permit).toMatchObject({ typeDau: 'PC', numDau: '03155511C1330', state: 'started', units: 6, collective: 6, address: '34 RUE DU CAPITAINE ESCUDIE', lastUpdateDate: '2014-04-01' });
    expect(sitadelSteps(r.permit!)).toEqual([{ state: 'permit_granted', date: '2013-06-28' }, { state: 'works_started', date: '2014-03-03' }]);
  });

  it('dates an annulment by the last update, never before the step before it', () => {
    const p = parseSitadelRecord({ ...REAL, etat_dau: '4', date_reelle_doc: '', dpc_dern: '2013-05' }, 3, 'f.csv').permit!;
    expect(sitadelSteps(p)).toEqual([{ state: 'permit_granted', date: '2013-06-28' }, { state: 'abandoned', date: '2013-06-28' }]);
  });

  it('never throws, whatever the cells hold, and a refused line always says where and why', () => {
    const cell = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', '0', '12', '-3', '2024-02-30', '2024-02-29', '31555', 'PC', '9'));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...REQUIRED_COLUMNS), cell), (edits) => {
        const r = parseSitadelRecord({ ...REAL, ...edits }, 7, 'f.csv');
        if (r.problems) {
          expect(r.problems.length).toBeGreaterThan(0);
          for (const p of r.problems) {
            expect(p).toMatchObject({ file: 'f.csv', line: 7 });
            expect(p.column && p.rule && p.message).toBeTruthy();
          }
        } else {
          const p = r.permit;
          expect(p.units).toBeGreaterThan(0);
          expect(p.socialRented + p.aidedOwnership).toBeLessThanOrEqual(p.units);
          const steps = sitadelSteps(p);
          expect(steps[0]).toEqual({ state: 'permit_granted', date: p.authorisationDate });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a commune code that is not an INSEE code, naming the column', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !COMMUNE_CODE.test(s.trim())), (code) => {
        const r = parseSitadelRecord({ ...REAL, comm: code }, 4, 'f.csv');
        expect(r.problems?.some((p) => p.column === 'COMM' && p.rule === 'code_commune')).toBe(true);
      }),
    );
  });
});
