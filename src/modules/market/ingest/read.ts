// Streams one DVF file (plain or gzip, UTF-8 or Latin-1) line by line, record by record,
// with the file's line numbers, so memory stays flat whatever the file size.
import { parse as parseSync } from 'csv-parse/sync';
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { createReadStream, createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { AppError } from '../../../platform/errors.ts';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { DvfFormat } from './formats.ts';

/** Files an import takes from a folder: the published names end so. */
const DVF_FILE = /\.(csv|txt)(\.gz)?$/i;

/** A path may be a file or a folder of files (not recursive: DVF folders are flat). */
export function listDvfFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new AppError('market.path_not_found', `Fichier ou dossier introuvable : ${p}`);
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (DVF_FILE.test(name) && statSync(join(p, name)).isFile()) out.push(join(p, name));
    } else out.push(p);
  }
  return out;
}

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** The length of `buf` without an incomplete UTF-8 sequence at its end (a chunk boundary may cut one). */
function completeUtf8Length(buf: Buffer): number {
  for (let i = Math.max(0, buf.length - 3); i < buf.length; i++) {
    const b = buf[i];
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > 1 && i + need > buf.length) return i;
  }
  return buf.length;
}

/**
 * Decodes UTF-8 until the first byte sequence that is not, then Latin-1 for the rest: a Latin-1 DGFiP file
 * is pure ASCII until its first accent, where the two encodings agree.
 */
export class Utf8OrLatin1Decoder extends Transform {
  encoding: 'utf-8' | 'latin1' = 'utf-8';
  private pending: Buffer = Buffer.alloc(0);
  private utf8 = new TextDecoder('utf-8', { fatal: true });
  constructor() {
    // Strings out, as objects, so nothing re-encodes them on the way to the line splitter.
    super({ readableObjectMode: true, decodeStrings: true });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null, d?: string) => void) {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.encoding === 'latin1') return cb(null, buf.toString('latin1'));
    // Keep an incomplete trailing UTF-8 sequence for the next chunk.
    const end = completeUtf8Length(buf);
    this.pending = buf.subarray(end);
    buf = buf.subarray(0, end);
    try {
      cb(null, this.utf8.decode(buf));
    } catch {
      this.encoding = 'latin1';
      const rest = Buffer.concat([buf, this.pending]);
      this.pending = Buffer.alloc(0);
      cb(null, rest.toString('latin1'));
    }
  }
  override _flush(cb: (e?: Error | null, d?: string) => void) {
    if (!this.pending.length) return cb();
    // A UTF-8 sequence cut by the end of the file is no UTF-8: these last bytes are Latin-1 (e.g. a final « ê »).
    this.encoding = 'latin1';
    cb(null, this.pending.toString('latin1'));
  }
}

/** The first line of a file, decoded, to recognise its layout before parsing. */
export async function readHeaderLine(path: string): Promise<string> {
  const gz = await isGzip(path);
  const source = createReadStream(path, { highWaterMark: 64 * 1024 });
  const stream = gz ? source.pipe(createGunzip()) : source;
  let text = '';
  try {
    for await (const chunk of stream) {
      text += (chunk as Buffer).toString('latin1');
      const nl = text.indexOf('\n');
      if (nl >= 0) return Buffer.from(text.slice(0, nl), 'latin1').toString('utf-8').replace(/\r$/, '');
      if (text.length > 1 << 20) break;
    }
  } finally {
    source.destroy();
  }
  return Buffer.from(text, 'latin1').toString('utf-8');
}

export interface ReadHandlers {
  /** Called once with the header fields. */
  header(fields: string[]): void;
  /** Called for every data record; may return a promise to apply backpressure. */
  record(fields: string[], lineNo: number): void | Promise<void>;
  /** A line that cannot be split into fields (e.g. an unclosed quote). */
  malformed(lineNo: number, message: string): void;
  /** Bytes read from disk so far (compressed size for .gz), for the progress bar. */
  progress?(bytes: number): void;
}

export interface ReadResult {
  format: DvfFormat;
  encoding: 'utf-8' | 'latin1';
  sha256: string;
}

/**
 * Splits one CSV line. DVF files quote nothing (Etalab even writes « Local industriel. commercial ou assimilé »
 * to avoid a comma), so a line without a quote is split directly — six times faster than a general CSV parser
 * (measured: docs/market.md); a line with quotes goes through csv-parse. Quoted line breaks are not supported:
 * DVF has none, and such a line is rejected rather than guessed.
 */
export function splitLine(line: string, delimiter: string, quotes: boolean): string[] {
  if (!quotes || line.indexOf('"') < 0) return line.split(delimiter);
  const rows = parseSync(line, { delimiter, relax_quotes: true, relax_column_count: true });
  if (rows.length !== 1) throw new Error('guillemets non refermés');
  return rows[0] as string[];
}

export async function readDvfFile(path: string, format: DvfFormat, handlers: ReadHandlers): Promise<ReadResult> {
  const gz = await isGzip(path);
  const hash = createHash('sha256');
  let bytes = 0;
  const source = createReadStream(path, { highWaterMark: 1 << 20 });
  source.on('data', (b) => {
    hash.update(b as Buffer);
    bytes += (b as Buffer).length;
    handlers.progress?.(bytes);
  });
  const decoder = new Utf8OrLatin1Decoder();
  const delimiter = format === 'dgfip' ? '|' : ',';
  const quotes = format !== 'dgfip';
  let rest = '';
  let lineNo = 0;
  let headerSeen = false;
  // Runs the handlers on every complete line of `text`; awaits only when a handler asks for it (backpressure).
  const lines = async (text: string, final: boolean) => {
    const data = rest + text;
    let start = 0;
    for (;;) {
      let nl = data.indexOf('\n', start);
      if (nl < 0) {
        if (!final || start >= data.length) break;
        nl = data.length;
      }
      let line = data.slice(start, nl);
      start = nl + 1;
      lineNo++;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (!headerSeen) {
        headerSeen = true;
        handlers.header(line.replace(/^\uFEFF/, '').split(delimiter).map((h) => h.trim()));
        continue;
      }
      if (line === '') continue;
      let fields: string[];
      try {
        fields = splitLine(line, delimiter, quotes);
      } catch (e) {
        handlers.malformed(lineNo, (e as Error).message);
        continue;
      }
      const wait = handlers.record(fields, lineNo);
      if (wait) await wait;
    }
    rest = final ? '' : data.slice(start);
  };
  const sink = new Writable({
    objectMode: true,
    write(text: string, _enc, cb) {
      lines(text, false).then(() => cb(), cb);
    },
    final(cb) {
      lines('', true).then(() => cb(), cb);
    },
  });
  if (gz) await pipeline(source, createGunzip(), decoder, sink);
  else await pipeline(source, decoder, sink);
  return { format, encoding: decoder.encoding, sha256: hash.digest('hex') };
}

/**
 * One pass over a file's bytes: its sha256 (the manifest's identity of a file), whether it is gzip-compressed, and
 * whether its text is valid UTF-8 (else it is read as Latin-1, the other encoding DVF files come in). A compressed
 * file is decompressed for the check; with `inflateTo`, its text is also written there, so that DuckDB reads it once
 * more on every core instead of decompressing it again on one (a compressed CSV is not read in parallel).
 */
export async function scanFile(path: string, opts: { inflateTo?: string } = {}): Promise<{ sha256: string; gzip: boolean; encoding: 'utf-8' | 'latin1' }> {
  const gzip = await isGzip(path);
  const hash = createHash('sha256');
  const text = utf8Check();
  if (gzip) {
    const source = createReadStream(path, { highWaterMark: 1 << 20 });
    const hashed = async function* (src: AsyncIterable<Buffer>) {
      for await (const b of src) {
        hash.update(b);
        yield b;
      }
    };
    const checked = async function* (src: AsyncIterable<Buffer>) {
      for await (const b of src) {
        text.add(b);
        yield b;
      }
    };
    // Chunks of 1 MiB out of gunzip: with its 16 KiB default the pass took 1,65–1,99 s against 0,84–1,24 s (344 Mio).
    const inflate = createGunzip({ chunkSize: 1 << 20 });
    const sink = opts.inflateTo ? createWriteStream(opts.inflateTo, { highWaterMark: 1 << 22 }) : new Writable({ write: (_chunk, _enc, done) => done() });
    await pipeline(source, hashed, inflate, checked, sink);
  } else {
    // One buffer read into again and again: a stream's new buffer for each chunk cost a third more (0,36–0,62 s
    // against 0,31–0,33 s for 344 Mio), and a stream pipeline (a Transform for the hash) twice as long.
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.allocUnsafe(4 << 20);
      for (let n; (n = (await file.read(buffer, 0, buffer.length, null)).bytesRead) > 0; ) {
        const chunk = buffer.subarray(0, n);
        hash.update(chunk);
        text.add(chunk);
      }
    } finally {
      await file.close();
    }
  }
  return { sha256: hash.digest('hex'), gzip, encoding: text.valid() ? 'utf-8' : 'latin1' };
}

/**
 * Whether bytes given chunk by chunk are valid UTF-8, a sequence cut between two chunks included. Only the few bytes
 * around a cut are copied: copying each chunk to prepend the cut sequence cost as much as the check.
 */
export function utf8Check() {
  let ok = true;
  let carry: Buffer = Buffer.alloc(0);
  return {
    add(chunk: Buffer) {
      if (!ok) return;
      let from = 0;
      if (carry.length) {
        const lead = carry[0];
        const missing = (lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2) - carry.length;
        if (chunk.length < missing) {
          carry = Buffer.concat([carry, chunk]);
          return;
        }
        if (!isUtf8(Buffer.concat([carry, chunk.subarray(0, missing)]))) ok = false;
        from = missing;
      }
      const rest = chunk.subarray(from);
      // Keep an incomplete trailing UTF-8 sequence for the next chunk.
      const end = completeUtf8Length(rest);
      carry = Buffer.from(rest.subarray(end));
      if (!isUtf8(rest.subarray(0, end))) ok = false;
    },
    valid: () => ok && carry.length === 0,
  };
}

