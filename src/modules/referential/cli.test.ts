import { Command } from 'commander';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { captureIO } from '../../../test/support/cli-io.ts';
import { describeStores } from '../../../test/support/stores.ts';
import type { AppContext } from '../../platform/context.ts';
import { findSchema, referentialCatalogue } from './catalogue.ts';
import { referentialModule } from './index.ts';

describeStores('referential CLI', (getDb) => {
  async function run(...args: string[]) {
    const program = new Command('habitat').exitOverride();
    const ctx = { db: getDb(), config: { epciSirens: ['200046977', '243100518'] } } as unknown as AppContext;
    const io = captureIO();
    referentialModule.cli!({ program, importCommand: program.command('import'), withContext: (fn) => fn(ctx) as never, io });
    await program.parseAsync(['node', 'habitat', ...args]);
    return { out: io.out(), exitCode: io.exitCode };
  }
  const example = (which: 'valide' | 'invalide') => join(findSchema(referentialCatalogue(), 'permis-declares').dir, 'exemples', `${which}.csv`);

  it('validates a file against a published schema and writes nothing', async () => {
    const ok = await run('referentiel-valider', 'permis-declares', example('valide'));
    expect(ok.out.split('\n')[0]).toBe('Permis de construire créant des logements 1.0.0 — Acceptée');
    expect(ok.out).toContain('Simple vérification : rien n’est enregistré.');
    expect(ok.exitCode).toBeUndefined();
    const bad = await run('referentiel-valider', 'permis-declares', example('invalide'));
    expect(bad.out.split('\n')[0]).toBe('Permis de construire créant des logements 1.0.0 — Acceptée en partie');
    expect(bad.out).toMatch(/invalide\.csv, ligne \d+, colonne « \w+ » — /);
    const { n } = await getDb().selectFrom('referential_delivery').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(0);
  });
});
