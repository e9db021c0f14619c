import { expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { communesOutsideEpci, epciNames } from './service.ts';
import { createLocalAid, deleteLocalAid, listLocalAids, updateLocalAid } from './store.ts';

const base = {
  epci_siren: '200046977',
  kind: 'renovation' as const,
  name: 'Complément rénovation (test)',
  description: 'Complément à MaPrimeRénov’ pour les passoires thermiques.',
  amount_euros: 1500.5,
  ceiling_reference: 'none' as const,
  primo_accedant_required: false,
  housing_types: [],
  mpr_categories: ['very_modest' as const, 'modest' as const],
  dpe_classes: ['F' as const, 'G' as const],
  communes: ['69123', '69266'],
  contact: 'Agence locale de l’énergie',
  deliberation: null,
  active: true,
};

describeStores('aids local aids', (getDb) => {
  it('keeps lists and amounts as they were written', async () => {
    const created = await createLocalAid(getDb(), base);
    expect(created).toMatchObject({ ...base, id: expect.any(String) });
    const [read] = await listLocalAids(getDb(), { sirens: ['200046977'] });
    expect(read).toEqual(created);
  });

  it('updates, filters inactive aids, deletes', async () => {
    const db = getDb();
    const a = await createLocalAid(db, { ...base, name: 'À désactiver' });
    await updateLocalAid(db, a.id, { ...base, name: 'À désactiver', active: false });
    expect((await listLocalAids(db, { activeOnly: true })).some((x) => x.id === a.id)).toBe(false);
    expect((await listLocalAids(db)).find((x) => x.id === a.id)!.active).toBe(false);
    expect(await deleteLocalAid(db, a.id)).toBe(true);
    expect(await deleteLocalAid(db, a.id)).toBe(false);
    expect(await listLocalAids(db, { sirens: [] })).toEqual([]);
  });

  it('knows the EPCI names and which communes are outside it', async () => {
    const db = getDb();
    expect(await epciNames(db, ['243100518'])).toEqual({ '243100518': expect.stringContaining('Toulouse') });
    expect(await communesOutsideEpci(db, '243100518', ['31555', '69123'])).toEqual(['69123']);
  });
});
