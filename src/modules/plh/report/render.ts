// One entry point for the three bilan formats, used by the CLI and the HTTP route.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../../platform/db.ts';
import type { Bilan } from './bilan-model.ts';
import { loadBilan } from './bilan-data.ts';
import { bilanDocx } from './docx.ts';
import { bilanHtml } from './html.ts';
import { bilanPdf } from './pdf.ts';

export type BilanFormat = 'html' | 'docx' | 'pdf';
export const BILAN_MEDIA: Record<BilanFormat, string> = {
  html: 'text/html; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
};

export function bilanFileName(b: Bilan, format: BilanFormat): string {
  return `bilan-plh-${b.type}-${b.period.start === b.period.end ? b.year : `${b.period.start}-${b.period.end}`}.${format}`;
}

export async function renderBilan(b: Bilan, format: BilanFormat): Promise<Buffer> {
  if (format === 'html') return Buffer.from(bilanHtml(b), 'utf8');
  if (format === 'docx') return bilanDocx(b);
  return bilanPdf(b);
}

/** Writes the three files into `outDir` and returns their paths. */
export async function writeBilanFiles(db: Db, opts: { epci: string; year: number; triennial: boolean; outDir: string }): Promise<string[]> {
  const b = await loadBilan(db, opts);
  mkdirSync(opts.outDir, { recursive: true });
  const paths: string[] = [];
  for (const f of ['html', 'docx', 'pdf'] as BilanFormat[]) {
    const path = join(opts.outDir, bilanFileName(b, f));
    writeFileSync(path, await renderBilan(b, f));
    paths.push(path);
  }
  return paths;
}
