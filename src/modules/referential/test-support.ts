// Helpers shared by the module's tests (not imported by production code).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'referential');

/** The demo club's commune codes (Lyon and Toulouse metropolises, Lyon arrondissements included). */
export function territoryCommunes(): Set<string> {
  const lines = readFileSync(join(FIXTURES, 'communes-territoire.csv'), 'utf8').trim().split('\n').slice(1);
  return new Set(lines.map((l) => l.split(';')[0]));
}
