// Benchmark of the DVF lake's layout (not a test; issue 16 §2, decision 0006). For each candidate layout, in its own
// process: DuckDB's bare write of a generated geo-DVF file in that layout (wall time, CPU, peak RSS), the size on
// disk, then a commune query and an EPCI query (20 communes) read the way the store reads, files chosen by their
// folders and row groups pruned by Parquet statistics. The file comes from bench/market-ingest.ts (`--garder`).
//
//   npx tsx bench/market-ingest.ts --seulement-generer --lignes 2000000 --dossier /tmp/lake-bench
//   npx tsx bench/lake-layout.ts --fichier /tmp/lake-bench/dvf-synthetique-2000000.csv
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { arg } from './args.ts';

const ROOT = join(import.meta.dirname, '..');
const file = arg('fichier')!;
const only = arg('seulement')?.split(',');
const work = join(dirname(file), 'layouts');
mkdirSync(work, { recursive: true });

/** Each layout: how DuckDB writes it, and which files a query of one département opens. */
const LAYOUTS: Record<string, { label: string; write: (src: string, out: string) => string; files: 'departement' | 'all'; ordered?: boolean }> = {
  departement_annee: {
    label: 'département × année (aujourd’hui, 500 dossiers)',
    write: (src, out) => `COPY (SELECT *, code_departement AS departement, year(date_mutation) AS annee FROM ${src}) TO '${out}' (FORMAT parquet, COMPRESSION snappy, WRITE_PARTITION_COLUMNS true, PARTITION_BY (departement, annee))`,
    files: 'departement',
  },
  annee: {
    label: 'un dossier par année, ordre du fichier',
    write: (src, out) => `COPY (SELECT *, code_departement AS departement, year(date_mutation) AS annee FROM ${src}) TO '${out}' (FORMAT parquet, COMPRESSION snappy, WRITE_PARTITION_COLUMNS true, PARTITION_BY (annee))`,
    files: 'all',
  },
  annee_triee: {
    label: 'un dossier par année, trié par commune',
    write: (src, out) => `COPY (SELECT *, code_departement AS departement, year(date_mutation) AS annee FROM ${src} ORDER BY code_commune) TO '${out}' (FORMAT parquet, COMPRESSION snappy, WRITE_PARTITION_COLUMNS true, PARTITION_BY (annee))`,
    files: 'all',
    ordered: true,
  },
  // One file per import, no PARTITION_BY (the floor measured in docs/benchmarks.md): a département's lines are found
  // by the row groups' statistics, which the published file's order (year, then département) keeps tight if the
  // writer keeps that order.
  un_fichier: {
    label: 'un fichier par import, ordre du fichier non gardé par l’écriture',
    write: (src, out) => `COPY (SELECT *, code_departement AS departement, year(date_mutation) AS annee FROM ${src}) TO '${out}/import.parquet' (FORMAT parquet, COMPRESSION snappy)`,
    files: 'all',
  },
  un_fichier_ordre: {
    label: 'un fichier par import, ordre du fichier gardé (année puis département)',
    write: (src, out) => `COPY (SELECT *, code_departement AS departement, year(date_mutation) AS annee FROM ${src}) TO '${out}/import.parquet' (FORMAT parquet, COMPRESSION snappy)`,
    files: 'all',
    ordered: true,
  },
  departement: {
    label: 'un dossier par département',
    write: (src, out) => `COPY (SELECT *, code_departement AS departement, year(date_mutation) AS annee FROM ${src}) TO '${out}' (FORMAT parquet, COMPRESSION snappy, WRITE_PARTITION_COLUMNS true, PARTITION_BY (departement))`,
    files: 'departement',
  },
};

interface Result {
  layout: string;
  seconds: number;
  cpu: number;
  rssMiB: number;
  mib: number;
  files: number;
  commune: number[];
  epci: number[];
}

function du(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      bytes += statSync(join(e.parentPath, e.name)).size;
      files++;
    }
  }
  return { bytes, files };
}

const q = (s: string) => JSON.stringify(s);

function measure(name: string): Result {
  const layout = LAYOUTS[name];
  const out = join(work, name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const src = `read_csv('${file}')`;
  // The commune and the EPCI (20 communes of one département) that the generator fills (départment + 3 digits).
  const communes = Array.from({ length: 20 }, (_, i) => `69${String(100 + i * 7).padStart(3, '0')}`);
  const filesOf = layout.files === 'departement' ? `readdirSync(${q(out)}, { recursive: true }).filter((f) => f.includes('departement=69')).filter((f) => f.endsWith('.parquet'))` : `readdirSync(${q(out)}, { recursive: true }).filter((f) => f.endsWith('.parquet'))`;
  // What the store's selection reads of each sale (salesSql), on the lines of the département only.
  const query = (where: string) => `SELECT count(*) AS n, median(valeur_fonciere / nullif(surface_reelle_bati, 0)) AS m FROM (
      SELECT * FROM read_parquet(\${list}, hive_partitioning = false, union_by_name = true) WHERE departement = '69'
      QUALIFY count(*) OVER (PARTITION BY id_mutation) = 1) WHERE ${where}`;
  const script = join(ROOT, 'bench', `.lake-layout-${process.pid}.ts`);
  writeFileSync(
    script,
    `import { DuckDBInstance } from '@duckdb/node-api';
     import { readdirSync } from 'node:fs';
     import { join } from 'node:path';
     const i = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '2GB', temp_directory: ${q(join(work, 'spill'))}, preserve_insertion_order: ${q(layout.ordered ? 'true' : 'false')}, autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
     const c = await i.connect();
     let t = performance.now();
     await c.run(${q(layout.write(src, out))});
     console.log('WRITE=' + (performance.now() - t) / 1000);
     const cpu = process.cpuUsage();
     console.log('CPU=' + (cpu.user + cpu.system) / 1e6);
     const rss = process.resourceUsage().maxRSS;
     console.log('RSS=' + rss / 1024);
     c.closeSync(); i.closeSync();
     const j = await DuckDBInstance.create(':memory:', { threads: '2', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
     const list = '[' + ${filesOf}.map((f) => "'" + join(${q(out)}, f) + "'").join(', ') + ']';
     for (const [label, sql] of [['COMMUNE', \`${query("code_commune = '69107'")}\`], ['EPCI', \`${query(`code_commune IN (${communes.map((c) => `'${c}'`).join(', ')})`)}\`]]) {
       const times = [];
       for (let k = 0; k < 6; k++) {
         const d = await j.connect();
         t = performance.now();
         await d.runAndReadAll(sql);
         times.push(performance.now() - t);
         d.closeSync();
       }
       console.log(label + '=' + times.map((x) => x.toFixed(1)).join(','));
     }`,
  );
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`${name} : ${r.stderr.slice(-2000)}`);
    const v = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(r.stdout)?.[1] ?? '';
    const size = du(out);
    return {
      layout: name,
      seconds: Number(v('WRITE')),
      cpu: Number(v('CPU')),
      rssMiB: Math.round(Number(v('RSS'))),
      mib: size.bytes / 2 ** 20,
      files: size.files,
      commune: v('COMMUNE').split(',').map(Number),
      epci: v('EPCI').split(',').map(Number),
    };
  } finally {
    rmSync(script, { force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const loadBefore = loadavg();
const results: Result[] = [];
for (const name of Object.keys(LAYOUTS)) {
  if (only && !only.includes(name)) continue;
  results.push(measure(name));
  console.error(JSON.stringify(results.at(-1)));
}
rmSync(work, { recursive: true, force: true });
console.log(`\nFichier : ${file} (${(statSync(file).size / 2 ** 20).toFixed(0)} Mio)`);
console.log(`Charge (load average 1/5/15 min) avant : ${loadBefore.map((l) => l.toFixed(2)).join(' / ')} ; après : ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
console.log('| disposition | écriture DuckDB nue (s) | CPU (s) | pic mémoire (Mio) | taille (Mio) | fichiers | commune : 1re / médiane (ms) | EPCI 20 communes : 1re / médiane (ms) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const ms = (xs: number[]) => `${xs[0].toFixed(0)} / ${median(xs.slice(1)).toFixed(0)}`;
  console.log(`| ${LAYOUTS[r.layout].label} | ${r.seconds.toFixed(1)} | ${r.cpu.toFixed(1)} | ${r.rssMiB} | ${r.mib.toFixed(0)} | ${r.files} | ${ms(r.commune)} | ${ms(r.epci)} |`);
}
