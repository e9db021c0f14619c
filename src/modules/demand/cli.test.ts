import { Command } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { captureIO } from '../../../test/support/cli-io.ts';
import { describeStores } from '../../../test/support/stores.ts';
import type { AppContext } from '../../platform/context.ts';
import { demandModule } from './index.ts';
import { readGridDir } from './ingest/grid-files.ts';
import { SNE_COLUMNS } from './ingest/sne-csv.ts';
import { syntheticDemandCsv } from './synthetic.ts';

const dir = mkdtempSync(join(tmpdir(), 'habitat-demand-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const grids = readGridDir();

describeStores('demand CLI', (getDb) => {
  let io = captureIO();
  async function run(...args: string[]): Promise<string> {
    const program = new Command('habitat').exitOverride();
    const importCommand = program.command('import');
    const ctx = { db: getDb(), config: { epciSirens: ['200046977', '243100518'], secrecyMinCount: 11 } } as unknown as AppContext;
    io = captureIO();
    demandModule.cli!({ program, importCommand, withContext: (fn) => fn(ctx) as any, io });
    await program.parseAsync(['node', 'habitat', ...args]);
    return io.out().replace(/\n$/, '');
  }
  const count = async () => Number((await getDb().selectFrom('demand').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('registers a grid from a JSON file, refuses a bad one with its problems, adopts on request', async () => {
    const bad = join(dir, 'grille-mauvaise.json');
    writeFileSync(bad, JSON.stringify({ ...grids.rhone_lyon_csf69, sections: [{ id: 's', label: 'S', mode: 'pire', criteria: [] }] }));
    await expect(run('import', 'grille-cotation', bad, '--epci', '200046977')).rejects.toThrow(/grille-mauvaise\.json : sections\.0\.mode/);
    const file = join(dir, 'grille.json');
    writeFileSync(file, JSON.stringify(grids.rhone_lyon_csf69));
    expect(await run('import', 'grille-cotation', file, '--epci', '200046977', '--adopter')).toBe(
      'Grille « Rhône / Métropole de Lyon — grille du fichier partagé (partielle) » version 1 adoptée (du 2024-01-01 sans fin).',
    );
    await expect(run('import', 'grille-cotation', file, '--epci', '200046977')).rejects.toThrow(/La version 1 de la grille existe déjà/);
  });

  it('refuses a file with one bad line and writes nothing', async () => {
    const good = syntheticDemandCsv(30, 7).trim().split('\n');
    const cells = good[5].split(';');
    cells[SNE_COLUMNS.indexOf('nb_adultes')] = 'deux';
    good[5] = cells.join(';');
    const file = join(dir, 'mauvais.csv');
    writeFileSync(file, good.join('\n'));
    await expect(run('import', 'demandes', file)).rejects.toThrow(
      'Le fichier est refusé : 1 problème (mauvais.csv, ligne 6, colonne « nb_adultes » — règle nombre : nombre attendu (valeur : « deux »)). Rien n’a été enregistré.',
    );
    expect(io.err()).toBe('mauvais.csv, ligne 6, colonne « nb_adultes » — règle nombre : nombre attendu (valeur : « deux »)\n');
    expect(await count()).toBe(0);
  });

  it('refuses an unknown EPCI or attribution commune by line instead of failing in the database', async () => {
    const lines = syntheticDemandCsv(5, 7).trim().split('\n');
    const epciCol = SNE_COLUMNS.indexOf('epci_siren');
    const a = lines[2].split(';');
    a[epciCol] = '123456789';
    lines[2] = a.join(';');
    const b = lines[3].split(';');
    Object.assign(b, { [SNE_COLUMNS.indexOf('statut')]: 'attribuee', [SNE_COLUMNS.indexOf('date_attribution')]: '01/10/2026', [SNE_COLUMNS.indexOf('commune_attribution')]: '99999' });
    lines[3] = b.join(';');
    const file = join(dir, 'references.csv');
    writeFileSync(file, lines.join('\n'));
    const err = await run('import', 'demandes', file).catch((e) => e as Error);
    expect(String(err)).toContain('references.csv, ligne 3, colonne « epci_siren » — règle epci_connu : aucun EPCI de ce SIREN dans le référentiel des territoires (valeur : « 123456789 »)');
    // The message names the first problem; the terminal lists them all.
    expect(io.err()).toContain('references.csv, ligne 3, colonne « epci_siren » — règle epci_connu');
    expect(io.err()).toContain('references.csv, ligne 4, colonne « commune_attribution » — règle commune_connue');
    expect(await count()).toBe(0);
  });

  it('imports a file, and importing it again changes nothing', async () => {
    const file = join(dir, 'bon.csv');
    writeFileSync(file, syntheticDemandCsv(30, 7));
    expect(await run('import', 'demandes', file)).toBe('Demandes : 30 créée(s), 0 modifiée(s), 0 inchangée(s). Notes recalculées.');
    expect(await run('import', 'demandes', file)).toBe('Demandes : 0 créée(s), 0 modifiée(s), 30 inchangée(s). Notes recalculées.');
    expect(await count()).toBe(30);
  });

  it('purges attributed demands past the retention period, dry run first', async () => {
    const attributed = await getDb().selectFrom('demand').select('number').where('status', '=', 'attribuee').execute();
    expect(attributed.length).toBeGreaterThan(0);
    // The synthetic attributions are all before 2026-11: with 0 months of retention every one goes.
    expect(await run('demand', 'purge', '--months', '0', '--dry-run')).toBe(`${attributed.length} demande(s) à supprimer (conservation : 0 mois).`);
    expect(await count()).toBe(30);
    expect(await run('demand', 'purge', '--months', '0')).toBe(`${attributed.length} demande(s) supprimée(s) (conservation : 0 mois).`);
    expect(await count()).toBe(30 - attributed.length);
    await expect(run('demand', 'purge', '--months', 'six')).rejects.toThrow(/--months attend un nombre entier de mois, pas « six »/);
  });

  it('forgets a demand on request and logs it', async () => {
    const [d] = await getDb().selectFrom('demand').select('number').limit(1).execute();
    expect(await run('demand', 'forget', d.number)).toBe(`Demande ${d.number} supprimée.`);
    await expect(run('demand', 'forget', d.number)).rejects.toThrow(/introuvable/);
    const logged = await getDb().selectFrom('audit_log').selectAll().where('entity_id', '=', d.number).execute();
    expect(logged.map((l: any) => l.action)).toEqual(['delete']);
  });
});
