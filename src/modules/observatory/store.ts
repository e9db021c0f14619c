// SQL of the observatory: INSEE comparateur editions and the figures of each commune.
import { sql } from 'kysely';
import { insertInBatches, type TypedDb } from '../../platform/db.ts';
import type { InseeCommune } from './ingest/insee.ts';

export interface InseeEditionRow {
  edition: string;
  file: string;
  sha256: string;
  published_at: string | null;
  lines: number;
  communes: number;
  rejected: number;
  columns: string[];
  imported_at: string;
}

export async function findEdition(db: TypedDb, edition: string): Promise<InseeEditionRow | undefined> {
  const r = await db
    .selectFrom('observatory_insee_edition')
    .select(['edition', 'file', 'sha256', 'lines', 'communes', 'rejected', 'columns'])
    .select(sql<string | null>`published_at::text`.as('published_at'))
    .select(sql<string>`imported_at::text`.as('imported_at'))
    .where('edition', '=', edition)
    .executeTakeFirst();
  return r as InseeEditionRow | undefined;
}

export async function listEditions(db: TypedDb): Promise<InseeEditionRow[]> {
  return (await db
    .selectFrom('observatory_insee_edition')
    .select(['edition', 'file', 'sha256', 'lines', 'communes', 'rejected', 'columns'])
    .select(sql<string | null>`published_at::text`.as('published_at'))
    .select(sql<string>`imported_at::text`.as('imported_at'))
    .orderBy('edition', 'desc')
    .execute()) as InseeEditionRow[];
}

/** Replaces one edition whole, in one transaction: its figures are those of the file just read, nothing else. */
export async function replaceEdition(
  db: TypedDb,
  e: { edition: string; file: string; sha256: string; publishedAt: string | null; lines: number; rejected: number; columns: string[] },
  communes: InseeCommune[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('observatory_insee_figure').where('edition', '=', e.edition).execute();
    await trx
      .insertInto('observatory_insee_edition')
      .values({ edition: e.edition, file: e.file, sha256: e.sha256, published_at: e.publishedAt, lines: e.lines, communes: communes.length, rejected: e.rejected, columns: e.columns })
      .onConflict((oc) =>
        oc.column('edition').doUpdateSet({
          file: e.file,
          sha256: e.sha256,
          published_at: e.publishedAt,
          lines: e.lines,
          communes: communes.length,
          rejected: e.rejected,
          columns: e.columns,
          imported_at: sql`now()`,
        }),
      )
      .execute();
    await insertInBatches(
      trx,
      'observatory_insee_figure',
      communes.map((c) => ({ edition: e.edition, commune_code: c.code, libelle: c.libelle, figures: JSON.stringify(c.figures), secrets: c.secrets })),
      1000,
    );
  });
}

export interface InseeFigures {
  edition: string;
  commune_code: string;
  figures: Record<string, number>;
  secrets: string[];
}

/** The figures of these communes in one edition (the latest by default). */
export async function figuresOf(db: TypedDb, codes: string[], edition?: string): Promise<InseeFigures[]> {
  if (!codes.length) return [];
  const ed = edition ?? (await db.selectFrom('observatory_insee_edition').select('edition').orderBy('edition', 'desc').limit(1).executeTakeFirst())?.edition;
  if (!ed) return [];
  const rows = await db
    .selectFrom('observatory_insee_figure')
    .select(['edition', 'commune_code', 'figures', 'secrets'])
    .where('edition', '=', ed)
    .where('commune_code', 'in', codes)
    .orderBy('commune_code')
    .execute();
  return rows.map((r) => ({ edition: r.edition, commune_code: r.commune_code, figures: typeof r.figures === 'string' ? JSON.parse(r.figures) : r.figures, secrets: r.secrets ?? [] }));
}

/**
 * The change counter of each source the portrait reads from the store (migration 0801: bumped by triggers in the
 * writer's transaction). Read before the data an answer is computed from, so an answer is never kept under a newer
 * counter than the rows it saw.
 */
export async function storeVersions(db: TypedDb): Promise<Record<string, number>> {
  const rows = await db.selectFrom('observatory_source_version').select(['source', 'version']).execute();
  return Object.fromEntries(rows.map((r) => [r.source, Number(r.version)]));
}
