// The lake: Parquet files under dataDir/lake read by an embedded DuckDB. No extension may be downloaded here.
// Values that come from a request are bound as parameters (`$name`), never written into the SQL text; lists bind as
// DuckDB lists (`list_contains($codes, code_commune)`). The partition swap that writes the lake is lake-swap.ts.
// DuckDB is loaded and started on the first query only: a command that never reads the lake (`habitat users list`)
// does not pay for its native module and instance (≈ 0.2 s to 1 s of a CLI start, docs/benchmarks.md).
import type { DuckDBConnection, DuckDBInstance, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** A value bound to a `$name` parameter: a scalar, or a list of text or of numbers. */
type LakeParam = string | number | boolean | null | readonly string[] | readonly number[];
export type LakeParams = Readonly<Record<string, LakeParam>>;

/** What reads the lake: the platform's shared connection, or a pool of connections (lakePool). */
export interface LakeReader {
  dir: string;
  /** Runs a query and returns its rows as plain JSON-safe objects (bigint -> number). */
  query<T = Record<string, unknown>>(text: string, params?: LakeParams): Promise<T[]>;
}

export interface Lake extends LakeReader {
  connect(): Promise<DuckDBConnection>;
  close(): void;
}

const duckdb = () => import('@duckdb/node-api');

/** A DuckDB instance that reads local files only: no extension is installed or loaded behind our back. */
export async function openDuckDB(options: Record<string, string> = {}): Promise<DuckDBInstance> {
  const { DuckDBInstance } = await duckdb();
  return DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', threads: '2', ...options });
}

/** The lake of a data folder; its DuckDB instance starts with the first query or connection. */
export async function openLake(dataDir: string): Promise<Lake> {
  const dir = join(dataDir, 'lake');
  mkdirSync(dir, { recursive: true });
  let opening: Promise<{ instance: DuckDBInstance; shared: DuckDBConnection }> | undefined;
  let opened: { instance: DuckDBInstance; shared: DuckDBConnection } | undefined;
  let closed = false;
  const open = () =>
    (opening ??= (async () => {
      const instance = await openDuckDB();
      const shared = await instance.connect();
      opened = { instance, shared };
      if (closed) shut(); // closed while it was starting
      return opened;
    })());
  const shut = () => {
    opened?.shared.closeSync();
    opened?.instance.closeSync();
    opened = undefined;
  };
  return {
    dir,
    connect: async () => (await open()).instance.connect(),
    query: async (text, params) => run((await open()).shared, text, params),
    close: () => {
      closed = true;
      shut();
    },
  };
}

/**
 * A reader over a few connections of the lake's instance, so that the independent reads of one page run side by
 * side (one connection runs one query at a time). `close` when the server stops.
 */
export async function lakePool(lake: Lake, size: number): Promise<LakeReader & { close(): void }> {
  const conns = await Promise.all(Array.from({ length: size }, () => lake.connect()));
  let next = 0;
  return {
    dir: lake.dir,
    query: (text, params) => run(conns[next++ % conns.length], text, params),
    close: () => conns.forEach((c) => c.closeSync()),
  };
}

async function run<T>(conn: DuckDBConnection, text: string, params?: LakeParams): Promise<T[]> {
  const [values, types] = bind(await duckdb(), params ?? {});
  const reader = await conn.runAndReadAll(text, values, types);
  return reader.getRowObjectsJS().map(toPlain) as T[];
}

/** Parameters as DuckDB values; a list is typed from its items (an empty one as a list of text). */
function bind({ DOUBLE, LIST, VARCHAR, listValue }: Awaited<ReturnType<typeof duckdb>>, params: LakeParams): [Record<string, DuckDBValue>, Record<string, DuckDBType | undefined>] {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType | undefined> = {};
  for (const [name, v] of Object.entries(params)) {
    if (Array.isArray(v)) {
      values[name] = listValue([...v]);
      types[name] = LIST(v.length && typeof v[0] === 'number' ? DOUBLE : VARCHAR);
    } else values[name] = v as DuckDBValue;
  }
  return [values, types];
}

function toPlain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : v;
  return out;
}

/**
 * A string literal for the few places DuckDB takes no parameter (the target of a COPY, the options of a reader);
 * every value that comes from a request is bound instead.
 */
export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A SQL list of file paths, for DuckDB's readers: `['a.parquet', 'b.parquet']`. */
export const sqlFileList = (files: readonly string[]) => `[${files.map(sqlString).join(', ')}]`;

export type LakeColumnType = 'VARCHAR' | 'DOUBLE' | 'INTEGER' | 'DATE';

/**
 * A relation over Parquet files with these columns: files written by two versions of a dataset are read together
 * (union_by_name), and no file at all gives an empty relation of the same columns rather than an error.
 */
export function parquetRelation(files: readonly string[], columns: ReadonlyArray<readonly [string, LakeColumnType]>): string {
  if (!files.length) return `(SELECT ${columns.map(([c, t]) => `CAST(NULL AS ${t}) AS ${c}`).join(', ')} WHERE false)`;
  return `(SELECT ${columns.map(([c]) => c).join(', ')} FROM read_parquet(${sqlFileList(files)}, hive_partitioning = false, union_by_name = true))`;
}

/** A reader over one connection (an import's own instance): the queries the service runs, on the import's side. */
export function connectionReader(conn: DuckDBConnection, dir: string): LakeReader {
  return { dir, query: (text, params) => run(conn, text, params) };
}
