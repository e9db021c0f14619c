// The territory's answers under the naming rule (docs/decisions/0004-naming.md): English keys, COG figures unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const get = async (url: string) => {
  const res = await t.app.inject({ method: 'GET', url });
  expect(res.statusCode, url).toBe(200);
  return res.json();
};

describe('territory routes', () => {
  it('lists the instance’s EPCIs and communes by name, with their postcodes', async () => {
    const body = await get('/api/territory');
    expect(body.epcis.map((e: { siren: string; name: string }) => [e.siren, e.name])).toEqual([
      ['200046977', 'Métropole de Lyon'],
      ['243100518', 'Toulouse Métropole'],
    ]);
    const villeurbanne = body.communes.find((c: { code: string }) => c.code === '69266');
    expect(villeurbanne).toMatchObject({ name: 'Villeurbanne', epci_siren: '200046977', postal_codes: ['69100'] });
    expect(villeurbanne).not.toHaveProperty('nom');
  });

  it('gives a commune’s card with its arrondissements by name', async () => {
    const lyon = await get('/api/territory/communes/69123');
    expect(lyon.name).toBe('Lyon');
    expect(lyon.arrondissements[0]).toMatchObject({ code: '69381', name: 'Lyon 1er Arrondissement' });
  });

  it('finds a commune by postcode and by a name typed without accents', async () => {
    expect((await get('/api/territory/search?q=69100')).communes.map((c: { name: string }) => c.name)).toContain('Villeurbanne');
    expect((await get('/api/territory/search?q=ecully')).communes.map((c: { name: string }) => c.name)).toContain('Écully');
  });

  it('draws every commune of the instance or lists it apart, by name', async () => {
    const map = await get('/api/territory/map');
    const territory = await get('/api/territory');
    const drawn = map.features.map((f: { properties: { code: string } }) => f.properties.code);
    const apart = map.without_contour.map((c: { code: string }) => c.code);
    expect([...drawn, ...apart].sort()).toEqual(territory.communes.map((c: { code: string }) => c.code).sort());
    expect(map.features.find((f: { properties: { code: string } }) => f.properties.code === '69266').properties).toMatchObject({ name: 'Villeurbanne', epci: '200046977' });
  });
});
