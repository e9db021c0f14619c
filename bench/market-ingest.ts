// Benchmark of the DVF import (not a test). Generates a national-shaped geo-DVF file from the real samples, then
// measures, each in its own process, lines per second and peak memory (max RSS) of:
//   1. our import (`importDvf`: typed reading, rules, rejects, dedup, one Parquet folder per import, swap);
//   2. DuckDB read_csv of the same file: counted (the floor of reading it), every column converted, written to one
//      Parquet file (the bare write of the lake's layout since decision 0008: one folder per import), that write with
//      our import's line hash then its repeated hashes read back (the floor of an exactly deduplicated import in one
//      reading), and, for the record, written
//      partitioned like the lake of decision 0006 (one folder per département) and before it (département × année);
//   3. PostgreSQL 15 COPY into a typed table, then one index (what a PostgreSQL-only observatory does).
//
//   npx tsx bench/market-ingest.ts --lignes 2000000            (default 200 000 lines; --garder keeps the files)
//   npx tsx bench/market-ingest.ts --lignes 2000000 --dossier /tmp/x --mesures parquet,partitions   (some floors only)
//   npx tsx bench/market-ingest.ts --seulement-generer --lignes 20000000
//   --sans-postgres skips COPY + index; --sans-indicateurs skips the published indicators computed after the import
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { LINE_HASH_SQL } from '../src/modules/market/ingest/sql.ts';
import { arg, flag } from './args.ts';

const ROOT = join(import.meta.dirname, '..');

// ---------------------------------------------------------------- generation

/** A tiny deterministic PRNG so two runs generate the same file. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEPARTEMENTS = [
  ...Array.from({ length: 95 }, (_, i) => String(i + 1).padStart(2, '0')).filter((d) => d !== '20'),
  '2A', '2B', '971', '972', '973', '974',
];

/**
 * Mutations of the real samples (Rhône 2018 and Abzac 2021, Etalab layout), replayed with a new id, date, place and
 * price: the lines per mutation, natures, property types, surfaces, lots, cultures and the share of exact duplicate
 * lines are those of real DVF.
 */
export async function generate(path: string, lines: number, seed = 1) {
  const files = ['geodvf_dep69_2018_partial_chunk.csv', 'geodvf_commune_33001_Abzac_2021.csv'].map((f) => join(ROOT, 'data', 'demo', 'dvf', f));
  const mutations: string[][][] = [];
  let header = '';
  for (const f of files) {
    const [h, ...rows] = readFileSync(f, 'utf8').trimEnd().split('\n');
    header = h;
    const byId = new Map<string, string[][]>();
    for (const r of rows) {
      const cells = r.split(',');
      const list = byId.get(cells[0]) ?? [];
      list.push(cells);
      byId.set(cells[0], list);
    }
    mutations.push(...byId.values());
  }
  const names = header.split(',');
  const c = (n: string) => names.indexOf(n);
  const [ID, DATE, VAL, COM, NOMC, DEP, PARC, LON, LAT, CP] = ['id_mutation', 'date_mutation', 'valeur_fonciere', 'code_commune', 'nom_commune', 'code_departement', 'id_parcelle', 'longitude', 'latitude', 'code_postal'].map(c);
  const rand = rng(seed);
  const out = createWriteStream(path, { highWaterMark: 1 << 22 });
  out.write(header + '\n');
  let written = 0;
  let seq = 0;
  let buf = '';
  // Like the published files: one year after the other, and within a year département after département.
  const perBlock = lines / (5 * DEPARTEMENTS.length);
  while (written < lines) {
    const block = Math.min(5 * DEPARTEMENTS.length - 1, Math.floor(written / perBlock));
    const year = 2019 + Math.floor(block / DEPARTEMENTS.length);
    const dep = DEPARTEMENTS[block % DEPARTEMENTS.length];
    const m = mutations[Math.floor(rand() * mutations.length)];
    seq++;
    const day = new Date(Date.UTC(year, 0, 1) + Math.floor(rand() * 365) * 86400000).toISOString().slice(0, 10);
    const commune = dep + String(1 + Math.floor(rand() * (dep.length === 3 ? 99 : 600))).padStart(5 - dep.length, '0');
    const factor = 0.5 + rand() * 1.5;
    const dLon = (rand() - 0.5) * 6;
    const dLat = (rand() - 0.5) * 6;
    for (const src of m) {
      if (written >= lines) break;
      const cells = src.slice();
      cells[ID] = `${year}-${seq}`;
      cells[DATE] = day;
      if (cells[VAL]) cells[VAL] = String(Math.round(Number(cells[VAL]) * factor * 100) / 100);
      cells[COM] = commune;
      cells[NOMC] = `Commune ${commune}`;
      cells[DEP] = dep;
      cells[CP] = commune.slice(0, 2) + '000';
      cells[PARC] = commune + cells[PARC].slice(5);
      if (cells[LON]) cells[LON] = (Number(cells[LON]) + dLon).toFixed(6);
      if (cells[LAT]) cells[LAT] = (Number(cells[LAT]) + dLat).toFixed(6);
      buf += cells.join(',') + '\n';
      written++;
    }
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

// ---------------------------------------------------------------- measurements

interface Measure {
  name: string;
  seconds: number;
  /** CPU time (user + system) of the process doing the work: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  peakRssMiB: number;
  note?: string;
}

/** Runs a TypeScript snippet in a fresh process under GNU time, returns wall time and max RSS. */
function timed(name: string, code: string, note?: string): Measure {
  const script = join(ROOT, 'bench', `.market-bench-${process.pid}.ts`);
  writeFileSync(script, code);
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${name} a échoué : ${r.stderr.slice(-2000)}`);
    const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? 0);
    const cpu = Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? 0) + Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? 0);
    const inner = /SECONDS=([\d.]+)/.exec(r.stdout)?.[1];
    if (r.stdout.trim()) console.error(r.stdout.trim());
    return { name, seconds: inner ? Number(inner) : seconds, cpuSeconds: cpu, peakRssMiB: Math.round(kb / 1024), note };
  } finally {
    rmSync(script, { force: true });
  }
}

const q = (s: string) => JSON.stringify(s);

/** The published indicators of the lake our import wrote, as a server computes them after an import (decision 0005). */
function indicatorsAfterImport(work: string): Measure {
  return timed(
    'Habitat Commun : indicateurs publiés, calculés après l’import (en arrière-plan du serveur)',
    // No store here: no EPCI or instance rows (the communes, sections and départements are all computed).
    `import { refreshIndicators } from ${q(join(ROOT, 'src/modules/market/service.ts'))};
     const t = performance.now();
     if (!(await refreshIndicators(${q(join(work, 'lake'))}, async () => ({ epciOf: {}, territory: [] })))) throw new Error('indicateurs non calculés');
     console.log('SECONDS=' + (performance.now() - t) / 1000);`,
    'communes, arrondissements, sections, départements × types × années, mois, fenêtres de 5 ans ; histogrammes ; dernières ventes ; deux méthodes',
  );
}

function ourImport(file: string, work: string): Measure {
  const lake = join(work, 'lake');
  rmSync(lake, { recursive: true, force: true });
  return timed(
    'Habitat Commun : habitat import dvf',
    // No store here: no arrondissement roll-up (the COG's 45 pairs would only add a CASE to the SQL).
    // DuckDB's library is loaded before the clock starts (0,3 s), as in the DuckDB measures: they time the statements.
    `import { importDvfFiles } from ${q(join(ROOT, 'src/modules/market/service.ts'))};
     import { openDuckDB } from ${q(join(ROOT, 'src/platform/lake.ts'))};
     (await openDuckDB()).closeSync();
     const t = performance.now();
     const s = await importDvfFiles(${q(lake)}, [${q(file)}], { parents: new Map() });
     console.log('SECONDS=' + (performance.now() - t) / 1000);
     console.log(JSON.stringify({ read: s.linesRead, kept: s.linesKept, duplicates: s.duplicates, rejected: s.linesRejected, partitions: s.partitions.length }));`,
    'contrôles et rejets, normalisation, dédoublonnage, Parquet un dossier par import (décision 0008), bascule',
  );
}

type DuckMode = 'count' | 'colonnes' | 'parquet' | 'plancher_un_fichier' | 'partitions' | 'partitions_avant';
const DUCK_LABELS: Record<DuckMode, [string, string]> = {
  count: ['DuckDB read_csv → count(*)', 'le plancher du sujet : découper le CSV (DuckDB ne convertit aucune valeur)'],
  colonnes: ['DuckDB read_csv typé, toutes les colonnes lues', 'lire et convertir chaque cellule (dates, nombres), sans rien écrire'],
  parquet: ['DuckDB read_csv → un fichier Parquet', 'lecture + écriture Parquet (snappy), sans aucune règle : l’écriture nue du lac (décision 0008)'],
  plancher_un_fichier: [
    'Plancher d’un lac à un fichier par import : un fichier Parquet avec l’empreinte de chaque ligne, puis les empreintes répétées lues dans ce fichier',
    'le moins que fasse un import dédoublonné exactement en une lecture : l’écriture nue d’un seul fichier avec l’empreinte de notre import, puis ses empreintes répétées (sans règle, sans partition, sans bascule)',
  ],
  partitions: ['DuckDB read_csv → Parquet, un dossier par département', 'lecture + écriture Parquet comme le lac de la décision 0006, sans règle ni dédoublonnage'],
  partitions_avant: ['DuckDB read_csv → Parquet département × année', 'lecture + écriture Parquet comme le lac avant la décision 0006 (500 dossiers)'],
};

function duckdb(file: string, work: string, mode: DuckMode): Measure {
  const f = q(file).replace(/"/g, "'");
  const cols = `SELECT count(*), max(id_mutation), max(date_mutation), sum(valeur_fonciere), max(adresse_nom_voie), max(id_parcelle), sum(surface_reelle_bati), sum(longitude), max(nom_commune), max(type_local), max(nature_culture), sum(surface_terrain) FROM read_csv(${f})`;
  const sql = {
    count: `SELECT count(*) FROM read_csv(${f})`,
    colonnes: cols,
    parquet: `COPY (SELECT * FROM read_csv(${f})) TO '${join(work, 'raw.parquet')}' (FORMAT parquet, COMPRESSION snappy)`,
    // Two statements, as our import runs them (ingest/stage.ts, steps 2 and 3), the first without its rules.
    plancher_un_fichier: [
      `COPY (SELECT *, ${LINE_HASH_SQL} AS line_hash FROM read_csv(${f})) TO '${join(work, 'raw.parquet')}' (FORMAT parquet, COMPRESSION snappy)`,
      `CREATE TEMP TABLE repeated_hashes AS SELECT line_hash FROM '${join(work, 'raw.parquet')}' GROUP BY 1 HAVING count(*) > 1`,
    ],
    partitions: `COPY (SELECT *, code_departement AS departement, year(date_mutation) AS annee FROM read_csv(${f})) TO '${join(work, 'raw-partitions')}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (departement), WRITE_PARTITION_COLUMNS true, OVERWRITE_OR_IGNORE)`,
    partitions_avant: `COPY (SELECT *, code_departement AS departement, year(date_mutation) AS annee FROM read_csv(${f})) TO '${join(work, 'raw-partitions')}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (departement, annee), WRITE_PARTITION_COLUMNS true, OVERWRITE_OR_IGNORE)`,
  }[mode];
  try {
    return timed(
      DUCK_LABELS[mode][0],
      `import { DuckDBInstance } from '@duckdb/node-api';
       const i = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '2GB', temp_directory: ${q(join(work, 'spill'))}, preserve_insertion_order: 'false', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
       const c = await i.connect();
       const t = performance.now();
       let r;
       for (const statement of ${JSON.stringify([sql].flat())}) r = await c.runAndReadAll(statement);
       console.log('SECONDS=' + (performance.now() - t) / 1000);
       console.log(JSON.stringify(r!.getRows()[0], (k, v) => typeof v === 'bigint' ? Number(v) : v));`,
      DUCK_LABELS[mode][1],
    );
  } finally {
    rmSync(join(work, 'raw.parquet'), { force: true });
    rmSync(join(work, 'raw-partitions'), { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

async function postgres(file: string, _work: string): Promise<Measure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'market-bench-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, a: string[]) => {
    if (asRoot) {
      execFileSync('chown', ['-R', 'postgres:postgres', dir]);
      return execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...a], { stdio: 'pipe' });
    }
    return execFileSync(join(PG_BIN, cmd), a, { stdio: 'pipe' });
  };
  run('initdb', ['-D', data, '-U', 'bench', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
  run('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_wal_size=4GB`, 'start']);
  try {
    const psql = (sqlText: string) =>
      execFileSync('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'bench', '-d', 'postgres', '-c', sqlText], { encoding: 'utf8', maxBuffer: 1 << 26 });
    psql(`CREATE TABLE dvf (id_mutation text, date_mutation date, numero_disposition text, nature_mutation text, valeur_fonciere numeric,
      adresse_numero text, adresse_suffixe text, adresse_nom_voie text, adresse_code_voie text, code_postal text, code_commune text,
      nom_commune text, code_departement text, ancien_code_commune text, ancien_nom_commune text, id_parcelle text, ancien_id_parcelle text,
      numero_volume text, lot1_numero text, lot1_surface_carrez numeric, lot2_numero text, lot2_surface_carrez numeric, lot3_numero text,
      lot3_surface_carrez numeric, lot4_numero text, lot4_surface_carrez numeric, lot5_numero text, lot5_surface_carrez numeric,
      nombre_lots integer, code_type_local integer, type_local text, surface_reelle_bati numeric, nombre_pieces_principales integer,
      code_nature_culture text, nature_culture text, code_nature_culture_speciale text, nature_culture_speciale text, surface_terrain numeric,
      longitude double precision, latitude double precision)`);
    // COPY and the index run in the server's backend process: its peak memory is read from /proc (VmHWM).
    const script = `SELECT pg_backend_pid();
\\timing on
COPY dvf FROM '${file}' WITH (FORMAT csv, HEADER true);
CREATE INDEX dvf_commune_date ON dvf (code_commune, date_mutation);
SELECT 'HWM=' || pg_backend_pid();`;
    const scriptFile = join(dir, 'copy.sql');
    writeFileSync(scriptFile, script);
    execFileSync('chmod', ['644', scriptFile]);
    const rssOf = (pid: string) => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    };
    // psql's -f runs one session; poll the backend's VmHWM from here while it works.
    const { spawn } = await import('node:child_process');
    const t0 = performance.now();
    const child = spawn('psql', ['-X', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'bench', '-d', 'postgres', '-f', scriptFile]);
    let out = '';
    let pid = '';
    let hwm = 0;
    child.stdout.on('data', (d) => {
      out += d;
      if (!pid) pid = /^(\d+)$/m.exec(out)?.[1] ?? '';
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    let ticks = 0;
    const poll = setInterval(() => {
      if (!pid || !existsSync(`/proc/${pid}`)) return;
      hwm = Math.max(hwm, rssOf(pid));
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks = Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (1/100 s)
    }, 100);
    const [code] = await once(child, 'exit');
    clearInterval(poll);
    if (code !== 0) throw new Error(`psql : ${err}`);
    const total = (performance.now() - t0) / 1000;
    const times = [...out.matchAll(/Time: ([\d.]+) ms/g)].map((m) => Number(m[1]) / 1000);
    return [
      { name: 'PostgreSQL 15 : COPY', seconds: times[0] ?? total, cpuSeconds: NaN, peakRssMiB: hwm, note: 'table typée, sans règle ni dédoublonnage' },
      {
        name: 'PostgreSQL 15 : COPY + index (commune, date)',
        seconds: (times[0] ?? 0) + (times[1] ?? 0),
        cpuSeconds: ticks / 100,
        peakRssMiB: hwm,
        note: 'mémoire et CPU : processus serveur (VmHWM, /proc stat)',
      },
    ];
  } finally {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

// ---------------------------------------------------------------- main

const lines = Number(arg('lignes', '200000'));
const work = arg('dossier', join(tmpdir(), 'market-bench'))!;
mkdirSync(work, { recursive: true });
const file = join(work, `dvf-synthetique-${lines}.csv`);
if (!existsSync(file)) {
  const t = performance.now();
  await generate(file, lines);
  console.error(`fichier généré : ${file} (${(statSync(file).size / 2 ** 20).toFixed(0)} Mio) en ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
execFileSync('chmod', ['755', work]);
execFileSync('chmod', ['644', file]);
if (flag('seulement-generer')) process.exit(0);

const results: Measure[] = [];
const modes = (arg('mesures')?.split(',') ?? ['count', 'colonnes', 'parquet', 'plancher_un_fichier', 'partitions']) as DuckMode[];
for (const mode of modes) results.push(duckdb(file, work, mode));
results.push(ourImport(file, work));
if (!flag('sans-indicateurs')) results.push(indicatorsAfterImport(work));
if (existsSync(join(PG_BIN, 'initdb')) && !flag('sans-postgres')) results.push(...(await postgres(file, work)));

const mib = (statSync(file).size / 2 ** 20).toFixed(0);
console.log(`\nFichier : ${lines.toLocaleString('fr-FR')} lignes, ${mib} Mio ; machine : ${cpus().length} cœurs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} Gio`);
console.log(`Charge de la machine pendant la mesure (load average 1/5/15 min) : ${loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
console.log('| mesure | durée (s) | lignes/s | temps CPU (s) | pic mémoire (Mio) | ce qui est fait |');
console.log('|---|---:|---:|---:|---:|---|');
for (const r of results) {
  const cpu = Number.isNaN(r.cpuSeconds) ? '—' : r.cpuSeconds.toFixed(1);
  console.log(`| ${r.name} | ${r.seconds.toFixed(1)} | ${Math.round(lines / r.seconds).toLocaleString('fr-FR')} | ${cpu} | ${r.peakRssMiB} | ${r.note ?? ''} |`);
}
if (!flag('garder')) rmSync(work, { recursive: true, force: true });
