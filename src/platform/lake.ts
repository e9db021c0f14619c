// The lake: Parquet files under dataDir/lake read by an embedded DuckDB. No extension may be downloaded here.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Lake {
  dir: string;
  connect(): Promise<DuckDBConnection>;
  /** Run a query and return rows as plain JSON-safe objects (bigint -> number). */
  query<T = Record<string, unknown>>(text: string, params?: Record<string, unknown> | unknown[]): Promise<T[]>;
  close(): void;
}

export async function openLake(dataDir: string): Promise<Lake> {
  const dir = join(dataDir, 'lake');
  mkdirSync(dir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    threads: '2',
  });
  const shared = await instance.connect();
  return {
    dir,
    connect: () => instance.connect(),
    async query<T>(text: string, params?: Record<string, unknown> | unknown[]) {
      const reader = await shared.runAndReadAll(text, params as any);
      return reader.getRowObjectsJS().map(toPlain) as T[];
    },
    close: () => {
      shared.closeSync();
      instance.closeSync();
    },
  };
}

function toPlain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : v;
  return out;
}
