// The published schemas are read by partners with the reference implementations of Table Schema, not with ours:
// tableschema-js (the Frictionless JavaScript library) must load each one in strict mode and read its valid example
// with every value cast to the field's type, and find the type errors of its invalid example. Offline: the schemas and
// examples are files of the repository.
import { parse } from 'csv-parse/sync';
import { Schema, Table } from 'tableschema';
import { describe, expect, it } from 'vitest';
import { exampleFile, loadCatalogue } from './catalogue.ts';

const entries = [...loadCatalogue().schemas.values()].flat();

/** Reads a CSV example (comma or semicolon, as partners send them) with tableschema-js, each row cast by the schema; errors are collected, not thrown. */
async function readWithTableSchema(descriptor: object, csv: string) {
  const table = await Table.load(parse(csv, { bom: true, delimiter: [',', ';'] }) as string[][], { schema: descriptor, strict: true });
  const rows: unknown[][] = [];
  const errors: { row: number; message: string }[] = [];
  const all = await table.read({ cast: true, forceCast: true, extended: true });
  for (const r of all as unknown as ({ rowNumber: number; columns: unknown[] } | Error)[]) {
    if (r instanceof Error) errors.push({ row: (r as Error & { rowNumber?: number }).rowNumber ?? 0, message: r.message });
    else rows.push(r.columns);
  }
  return { rows, errors };
}

describe('the published schemas with tableschema-js (the reference implementation)', () => {
  for (const entry of entries) {
    const { name, version } = entry.schema;
    it(`${name} ${version}: loads in strict mode and casts every value of its valid example`, async () => {
      const schema = await Schema.load(entry.schema, { strict: true });
      expect(schema.valid, JSON.stringify(schema.errors)).toBe(true);
      expect(schema.fieldNames).toEqual(entry.schema.fields.map((f) => f.name));
      const { rows, errors } = await readWithTableSchema(entry.schema, exampleFile(entry, 'valide').toString('utf8'));
      expect(errors).toEqual([]);
      expect(rows.length).toBeGreaterThan(0);
    });
  }

  it('finds the bad datetime of the invalid incidents example, as our validator does', async () => {
    const entry = entries.find((e) => e.schema.name === 'incidents-batiments')!;
    const { errors } = await readWithTableSchema(entry.schema, exampleFile(entry, 'invalide').toString('utf8'));
    expect(errors.length).toBeGreaterThan(0);
  });
});
