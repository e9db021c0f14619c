// sha256File gives a file's sha256 whether OpenSSL's command digests it or Node does (a machine without `openssl`):
// the manifests of every lake hold these digests, and a file already imported must be recognised on both.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256File } from './files.ts';

const dir = mkdtempSync(join(tmpdir(), 'habitat-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const expected = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('empreinte sha256 d’un fichier', () => {
  it('est la même par OpenSSL et par Node, pour tout contenu', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => {
        const file = join(dir, `f${n++}.bin`);
        writeFileSync(file, bytes);
        expect(await sha256File(file)).toBe(expected(bytes));
        expect(await sha256File(file, 'commande-absente-de-cette-machine')).toBe(expected(bytes));
      }),
      { numRuns: 25 },
    );
  });

  it('lit un vrai fichier DVF, un nom avec espaces ou commençant par un tiret', async () => {
    const dvf = join(import.meta.dirname, '..', '..', 'data', 'demo', 'dvf', 'geodvf_commune_33001_Abzac_2021.csv');
    expect(await sha256File(dvf)).toBe(expected(readFileSync(dvf)));
    for (const name of ['un fichier DVF.csv', '-r.csv']) {
      const file = join(dir, name);
      writeFileSync(file, 'id_mutation,date_mutation\n2021-1,2021-01-04\n');
      expect(await sha256File(file)).toBe(expected(readFileSync(file)));
    }
  });

  it('échoue clairement sur un fichier absent', async () => {
    await expect(sha256File(join(dir, 'absent.csv'))).rejects.toThrow(/ENOENT/);
  });
});
