// Reads one file out of a ZIP archive (INSEE publishes its tables zipped). Enough of the format for the publishers'
// archives: the central directory, stored or deflated entries, no encryption, no ZIP64. The archive is read in memory:
// the archives concerned weigh a few megabytes.
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { AppError } from './errors.ts';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const bad = (file: string, why: string) => new AppError('zip.illisible', `Archive ZIP illisible (${file}) : ${why}.`, 422);

export function zipEntries(buf: Buffer, file = 'archive'): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad(file, 'fin d’archive introuvable');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw bad(file, 'répertoire central abîmé');
    const nameLength = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    out.push({
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
      name: buf.toString('utf8', p + 46, p + 46 + nameLength),
    });
    p += 46 + nameLength + extra + comment;
  }
  return out;
}

/** The bytes of the entry whose name ends with `name` (archives sometimes put files in a folder). */
export function readZipEntry(path: string, name: string): Buffer {
  const buf = readFileSync(path);
  const entry = zipEntries(buf, path).find((e) => e.name === name || e.name.endsWith(`/${name}`));
  if (!entry) throw new AppError('zip.absent', `Le fichier « ${name} » ne figure pas dans l’archive ${path}.`, 422);
  const p = entry.localOffset;
  if (buf.readUInt32LE(p) !== LOCAL) throw bad(path, 'en-tête local abîmé');
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + entry.compressedSize);
  const bytes = entry.method === 0 ? Buffer.from(data) : entry.method === 8 ? inflateRawSync(data) : undefined;
  if (!bytes) throw bad(path, `méthode de compression ${entry.method} non prise en charge`);
  if (bytes.length !== entry.size) throw bad(path, 'taille décompressée inattendue');
  return bytes;
}
