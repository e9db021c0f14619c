// Reading delivered files as partners really send them: Excel's Latin-1 with semicolons, UTF-8 with BOM, JSON,
// and broken files that must give a French report instead of a crash.
import { describe, expect, it } from 'vitest';
import { exampleFile, findSchema, loadCatalogue } from '../catalogue.ts';
import type { Row } from '../model.ts';
import { territoryCommunes } from '../test-support.ts';
import { decodeBytes, detectDelimiter } from './decode.ts';
import { validateFile } from './validate-file.ts';

const cat = loadCatalogue();
const communes = territoryCommunes();
const programmes = findSchema(cat, 'programmes-logements');
const permis = findSchema(cat, 'permis-declares');

async function collect(bytes: Uint8Array, entry = programmes, meta = { filename: 'livraison.csv' }) {
  const rows: Row[] = [];
  const report = await validateFile(bytes, meta, entry.compiled, { communes }, { onValidRow: (r) => void rows.push(r) });
  return { report, rows };
}

describe('encodings and delimiters', () => {
  const utf8 = exampleFile(programmes, 'valide').toString('utf8').replace('Cœur', 'Coeur');

  it('read a Latin-1 file saved by a spreadsheet, semicolons included, and keep the accents', async () => {
    const semicolons = utf8.replaceAll(',', ';').replace('"Coeur de Blagnac; tranche 2"', '"Coeur de Blagnac, tranche 2"');
    const { report, rows } = await collect(Buffer.from(semicolons, 'latin1'));
    expect(report.file).toMatchObject({ encoding: 'Latin-1 (Windows-1252)', delimiter: ';', format: 'csv' });
    expect(report.status).toBe('acceptee');
    expect(rows.map((r) => r.nom_programme)).toContain('Résidence Gratte-Ciel');
    expect(rows.map((r) => r.nom_programme)).toContain('Coeur de Blagnac, tranche 2');
  });

  it('read UTF-8 with a byte-order mark without taking it into the first column name', async () => {
    const { report } = await collect(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8)]));
    expect(report.header).toEqual([]);
    expect(report.file?.encoding).toBe('UTF-8');
    expect(report.status).toBe('acceptee');
  });

  it('read a real semicolon file of permits (Sitadel extract of Toulouse)', async () => {
    const { report, rows } = await collect(exampleFile(permis, 'valide'), permis);
    expect(report.file?.delimiter).toBe(';');
    expect(rows).toHaveLength(12);
    expect(rows.find((r) => r.numero_dau === '03155524C0129')).toMatchObject({ nb_logements_crees: 153, nb_logements_locatifs_sociaux: 19, etat: 'annule' });
  });

  it('guess the delimiter from the header line only, ignoring quoted separators', () => {
    expect(detectDelimiter('"a;b",c,d\n1;2;3;4;5')).toBe(',');
    expect(detectDelimiter('a;b;c\n"1,2",3,4')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(decodeBytes(Buffer.from('é', 'latin1')).encoding).toBe('windows-1252');
    expect(decodeBytes(Buffer.from('é', 'utf8')).encoding).toBe('utf-8');
  });
});

describe('JSON deliveries', () => {
  it('validate an array of objects like a CSV, numbers and booleans given as JSON values', async () => {
    const att = findSchema(cat, 'attributions');
    const records = [
      { identifiant_attribution: 'A1', bailleur_siren: '999000001', date_commission: '2025-03-12', code_commune: '31555', logement_en_qpv: false, financement: 'PLUS', typologie: 'T3', taille_menage: 3, premier_quartile: true, public_prioritaire: false, reservataire: 'bailleur', loyer_mensuel: 412.5 },
      { identifiant_attribution: 'A2', bailleur_siren: '999000001', date_commission: '2025-03-12', code_commune: '75056', logement_en_qpv: 'oui', financement: 'PLUS', typologie: 'T3', taille_menage: 3, premier_quartile: true, public_prioritaire: false, reservataire: 'bailleur' },
    ];
    const { report, rows } = await collect(Buffer.from(JSON.stringify(records)), att, { filename: 'attributions.json' });
    expect(report.file?.format).toBe('json');
    expect(report.status).toBe('partielle');
    expect(rows).toEqual([expect.objectContaining({ identifiant_attribution: 'A1', loyer_mensuel: 412.5, logement_en_qpv: false })]);
    expect(report.problems.map((p) => [p.line, p.column, p.rule])).toEqual([
      [2, 'code_commune', 'reference'],
      [2, 'logement_en_qpv', 'type'],
    ]);
  });

  it('refuse a JSON that is not an array of objects, in French', async () => {
    const { report } = await collect(Buffer.from('{"lignes": 3}'), programmes, { filename: 'x.json' });
    expect(report.status).toBe('refusee');
    expect(report.header[0]).toMatchObject({ rule: 'format-fichier', message: expect.stringContaining('tableau d’objets') });
  });
});

describe('broken files', () => {
  it('report unbalanced quotes with the line, keep nothing, never throw', async () => {
    const text = exampleFile(programmes, 'valide').toString('utf8').replace('Villa Monplaisir', '"Villa Monplaisir');
    const { report } = await collect(Buffer.from(text));
    expect(report.status).toBe('refusee');
    expect(report.header.at(-1)).toMatchObject({ rule: 'format-fichier', severity: 'erreur' });
    expect(report.header.at(-1)!.message).toContain('guillemets');
  });

  it('refuse an empty file', async () => {
    const { report } = await collect(Buffer.alloc(0));
    expect(report).toMatchObject({ status: 'refusee', header: [{ rule: 'fichier-vide' }] });
  });

  it('count lines of the file, not records, when a quoted value spans two lines', async () => {
    const text = exampleFile(programmes, 'valide').toString('utf8').replace('12 rue des Lilas', '"12 rue des Lilas\nbâtiment B"').replace('31069', '31000');
    const { report } = await collect(Buffer.from(text));
    expect(report.problems[0]).toMatchObject({ line: 4, column: 'code_commune', rule: 'reference' });
    const withBlank = text.replace('\n', '\n\n;;\n'.replaceAll(';', ','));
    const again = await collect(Buffer.from(withBlank));
    expect(again.report.problems[0]).toMatchObject({ line: 6, column: 'code_commune', rule: 'reference' });
    expect(again.report.summary.rowsTotal).toBe(4);
  });
});
