// The validator on small hand-made schemas: header checks reported once, both policies, uniqueness, references.
import { describe, expect, it } from 'vitest';
import { compileSchema, createValidator, decide } from './model.ts';
import { tableSchemaZ, type Policy } from './schema.ts';

function schema(policy: Policy = 'ligne-à-ligne') {
  return compileSchema(
    tableSchemaZ.parse({
      name: 'essai',
      title: 'Essai',
      description: 'Schéma de test',
      version: '1.0.0',
      primaryKey: 'id',
      fields: [
        { name: 'id', description: 'Identifiant', type: 'string' },
        { name: 'code_commune', description: 'Code INSEE', type: 'string', constraints: { required: true, pattern: '[0-9][0-9AB][0-9]{3}' } },
        { name: 'total', description: 'Total', type: 'integer', constraints: { required: true, minimum: 0 } },
        { name: 'a', description: 'Partie a', type: 'integer' },
        { name: 'b', description: 'Partie b', type: 'integer' },
        { name: 'note', description: 'Note libre', type: 'string' },
      ],
      'x-habitat': {
        politique: policy,
        references: [{ champ: 'code_commune', vers: 'communes-du-territoire' }],
        controles: [{ type: 'somme', total: 'total', parties: ['a', 'b'] }],
      },
    }),
  );
}
const communes = new Set(['31555', '69123']);
const HEADER = ['id', 'code_commune', 'total', 'a', 'b', 'note'];

describe('header checks', () => {
  it('accept the exact header silently', () => {
    expect(createValidator(schema(), { communes }).header(HEADER)).toEqual([]);
  });

  it('report a missing required column once, in the header, and not on every row', () => {
    const v = createValidator(schema(), { communes });
    const problems = v.header(['id', 'total', 'a', 'b', 'note']);
    expect(problems.map((p) => [p.rule, p.column, p.severity])).toEqual([['colonne-manquante', 'code_commune', 'erreur']]);
    for (let i = 0; i < 50; i++) v.row([`x${i}`, '3', '1', '2', ''], i + 2);
    const r = v.report();
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('refusee');
    expect(r.summary.rowsAccepted).toBe(0);
    expect(r.summary.byRule['colonne-manquante']).toBe(1);
  });

  it('suggest the right name when a column is written with capitals or spaces', () => {
    const [p] = createValidator(schema()).header(['id', 'Code commune', 'total', 'a', 'b', 'note']).filter((p) => p.rule === 'colonne-manquante');
    expect(p.fix).toContain('Renommez la colonne « Code commune » en « code_commune »');
  });

  it('warn about an extra column, a missing optional column and a different order, without refusing', () => {
    const v = createValidator(schema(), { communes });
    const problems = v.header(['code_commune', 'id', 'total', 'a', 'b', 'commentaire']);
    expect(problems.map((p) => [p.rule, p.column ?? null, p.severity])).toEqual([
      ['colonne-manquante', 'note', 'avertissement'],
      ['colonne-inconnue', 'commentaire', 'avertissement'],
      ['ordre-des-colonnes', null, 'avertissement'],
    ]);
    expect(v.row(['31555', 'p1', '3', '1', '2', 'ignoré'], 2)).toEqual({ valid: true, data: { id: 'p1', code_commune: '31555', total: 3, a: 1, b: 2, note: null } });
    expect(v.report().status).toBe('acceptee');
  });

  it('refuse a file whose header repeats a column', () => {
    const v = createValidator(schema());
    expect(v.header([...HEADER, 'total']).map((p) => p.rule)).toEqual(['colonne-en-double']);
    expect(v.report().status).toBe('refusee');
  });
});

describe('row checks', () => {
  it('name line, column, rule and value, with a way to fix it', () => {
    const v = createValidator(schema(), { communes });
    v.header(HEADER);
    v.row(['p1', '31000', 'douze', '1', '2', ''], 7);
    const r = v.report();
    expect(r.problems.map((p) => [p.line, p.column, p.rule, p.value])).toEqual([
      [7, 'code_commune', 'reference', '31000'],
      [7, 'total', 'type', 'douze'],
    ]);
    expect(r.problems[0].message).toBe("Le code commune « 31000 » n'est pas une commune du territoire.");
    expect(r.problems[0].fix).toContain('code postal');
    expect(r.problems[1].fix).toContain('nombre entier');
  });

  it('refuse a duplicate identifier and name the line of the first one', () => {
    const v = createValidator(schema(), { communes });
    v.header(HEADER);
    v.row(['p1', '31555', '3', '1', '2', ''], 2);
    const second = v.row(['p1', '69123', '3', '1', '2', ''], 3);
    expect(second.valid).toBe(false);
    expect(v.report().problems[0]).toMatchObject({ line: 3, column: 'id', rule: 'unicite', message: expect.stringContaining('ligne 2') });
  });

  it('check that a total equals the sum of its parts', () => {
    const v = createValidator(schema(), { communes });
    v.header(HEADER);
    expect(v.row(['p1', '31555', '4', '1', '2', ''], 2).valid).toBe(false);
    expect(v.report().problems[0]).toMatchObject({ column: 'total', rule: 'somme', message: '« total » vaut 4 mais la somme a + b vaut 3.' });
  });

  it('report a row with too many or too few cells', () => {
    const v = createValidator(schema(), { communes });
    v.header(HEADER);
    expect(v.row(['p1', '31555', '3', '1', '2'], 2).valid).toBe(false);
    expect(v.report().problems[0].rule).toBe('nombre-de-cellules');
  });

  it('keep exact counts but only the first problems in detail', () => {
    const v = createValidator(schema(), { communes }, { maxProblems: 10 });
    v.header(HEADER);
    for (let i = 0; i < 100; i++) v.row([`p${i}`, '31555', '-1', '', '', ''], i + 2);
    const r = v.report();
    expect(r.problems).toHaveLength(10);
    expect(r.truncated).toBe(true);
    expect(r.summary.errors).toBe(100);
    expect(r.summary.byColumn.total).toBe(100);
  });
});

describe('policies', () => {
  function run(policy: Policy, rows: string[][]) {
    const v = createValidator(schema(policy), { communes });
    v.header(HEADER);
    const outcomes = rows.map((r, i) => v.row(r, i + 2));
    return { report: v.report(), outcomes };
  }
  const good = ['p1', '31555', '3', '1', '2', ''];
  const bad = ['p2', '31555', '3', '1', '1', ''];

  it('all-or-nothing: one bad row refuses the whole delivery', () => {
    const { report } = run('tout-ou-rien', [good, bad]);
    expect(report).toMatchObject({ status: 'refusee', summary: { rowsValid: 1, rowsAccepted: 0 } });
    expect(report.verdict).toContain('tout ou rien');
  });

  it('row-by-row: the valid rows are kept, the others reported', () => {
    const { report, outcomes } = run('ligne-à-ligne', [good, bad]);
    expect(report).toMatchObject({ status: 'partielle', summary: { rowsValid: 1, rowsAccepted: 1, rowsInvalid: 1 } });
    expect(outcomes.map((o) => o.valid)).toEqual([true, false]);
  });

  it('a file with a header and no row is an accepted "nothing to declare"', () => {
    expect(decide('tout-ou-rien', { headerBlocking: false, rowsTotal: 0, rowsValid: 0 }).status).toBe('acceptee');
    expect(decide('ligne-à-ligne', { headerBlocking: false, rowsTotal: 5, rowsValid: 0 }).status).toBe('refusee');
  });
});
