// The perimeter model: who acts on which EPCI's territory, which organisations' data, which demands.
import { describe, expect, it } from 'vitest';
import { chooseEpci, perimeterOf, refusal, readsCommune, readsEpci, writesCommune, writesEpci, type PerimeterFacts } from './perimeter.ts';

const LYON = '200046977';
const TOULOUSE = '243100518';
const territory = { [LYON]: ['69123', '69381', '69266'], [TOULOUSE]: ['31555', '31069'] };
const noms = { [LYON]: 'Métropole de Lyon', [TOULOUSE]: 'Toulouse Métropole' };
const facts = (over: Partial<PerimeterFacts> & Pick<PerimeterFacts, 'role'>, org: Partial<PerimeterFacts['organisation']> = {}): PerimeterFacts => ({
  organisation: { id: 'org', kind: 'epci', siren: LYON, communeCode: null, ...org },
  territory,
  noms,
  links: [],
  epciOrganisations: [],
  demandGrants: [],
  ...over,
});

describe('perimeterOf', () => {
  it('gives an EPCI’s agent its territory, its partners, its demands and writes on it only', () => {
    const p = perimeterOf(facts({ role: 'agent', epciOrganisations: ['bailleur-lie'] }));
    expect(p).toMatchObject({ kind: 'epci', epci: LYON, ecrit: true, administre: null, demandes: [{ epci: LYON, communes: null }] });
    expect(p.organisations.sort()).toEqual(['bailleur-lie', 'org']);
    expect(readsEpci(p, LYON) && !readsEpci(p, TOULOUSE)).toBe(true);
    expect(writesCommune(p, '69381') && !writesCommune(p, '31555')).toBe(true);
    expect(refusal(p, { commune: '31555' })).toBe('La commune 31555 est hors de votre périmètre (Métropole de Lyon (SIREN 200046977)).');
    expect(refusal(p, { epci: TOULOUSE }, 'ecrire')).toBe('Ces données relèvent de Toulouse Métropole (SIREN 243100518), hors de votre périmètre (Métropole de Lyon (SIREN 200046977)).');
  });

  it('lets an EPCI’s read-only user read, not write, and its admin administer it', () => {
    const reader = perimeterOf(facts({ role: 'readonly' }));
    expect(reader).toMatchObject({ kind: 'epci', ecrit: false, demandes: [] });
    expect(refusal(reader, { epci: LYON }, 'ecrire')).toMatch(/ne peut pas modifier/);
    expect(perimeterOf(facts({ role: 'admin' })).administre).toBe('epci');
  });

  it('gives the operator no territory and no demands, unless an EPCI granted them', () => {
    const op = perimeterOf(facts({ role: 'operator' }, { kind: 'club', siren: null }));
    expect(op).toMatchObject({ kind: 'operateur', territoires: {}, demandes: [], administre: 'instance', ecrit: false });
    expect(readsEpci(op, LYON)).toBe(false);
    expect(perimeterOf(facts({ role: 'operator', demandGrants: [TOULOUSE] }, { kind: 'club', siren: null })).demandes).toEqual([{ epci: TOULOUSE, communes: null }]);
  });

  it('limits a commune to itself and its arrondissements, and its demands to those naming it', () => {
    const p = perimeterOf(facts({ role: 'partner', commune: { epci: LYON, codes: ['69123', '69381'] }, demandGrants: [LYON] }, { kind: 'commune', siren: null, communeCode: '69123' }));
    expect(p).toMatchObject({ kind: 'commune', epci: LYON, territoires: { [LYON]: ['69123', '69381'] }, demandes: [{ epci: LYON, communes: ['69123', '69381'] }], ecrit: false });
    expect(readsCommune(p, '69381') && !readsCommune(p, '69266')).toBe(true);
    expect(writesEpci(p, LYON)).toBe(false);
  });

  it('gives a partner the EPCIs that linked it, its own data, and no write on a territory', () => {
    const p = perimeterOf(facts({ role: 'partner', links: [TOULOUSE, '999999999'] }, { kind: 'bailleur', siren: '999000001' }));
    expect(p).toMatchObject({ kind: 'partenaire', epci: null, organisations: ['org'], ecrit: false, demandes: [] });
    expect(Object.keys(p.territoires)).toEqual([TOULOUSE]); // an EPCI the instance does not serve is ignored
    expect(refusal(p, { organisation: 'autre' })).toMatch(/organisation hors de votre périmètre/);
    // A read-only user of that partner gets exactly the same perimeter.
    expect(perimeterOf(facts({ role: 'readonly', links: [TOULOUSE, '999999999'] }, { kind: 'bailleur', siren: '999000001' }))).toEqual(p);
  });

  it('treats an API key of an EPCI organisation as a partner of its own EPCI', () => {
    const p = perimeterOf(facts({ role: 'partner' }));
    expect(p).toMatchObject({ kind: 'partenaire', ecrit: false, organisations: ['org'] });
    expect(Object.keys(p.territoires)).toEqual([LYON]);
  });

  it('on a single-EPCI instance, an agent’s perimeter is the whole instance', () => {
    const p = perimeterOf({ ...facts({ role: 'agent' }), territory: { [LYON]: territory[LYON] } });
    expect(Object.keys(p.territoires)).toEqual([LYON]);
    expect(territory[LYON].every((c) => writesCommune(p, c))).toBe(true);
  });
});

describe('chooseEpci (CLI)', () => {
  it('takes the instance’s only EPCI, or asks which one in a club', () => {
    expect(chooseEpci([LYON], undefined)).toBe(LYON);
    expect(chooseEpci([LYON, TOULOUSE], TOULOUSE)).toBe(TOULOUSE);
    expect(() => chooseEpci([LYON, TOULOUSE], undefined)).toThrow(/précisez lequel avec --epci/);
    expect(() => chooseEpci([LYON], TOULOUSE)).toThrow(/n’est pas servi/);
  });
});
