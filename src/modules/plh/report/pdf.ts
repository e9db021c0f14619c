// The bilan as a PDF (pdfkit): tables, bar charts and the map drawn with vector primitives. The font is the PDF
// standard Helvetica in WinAnsi encoding, which covers French (é, è, à, ç, œ, «», €) on every machine with no font
// file to ship; the few characters it lacks are replaced by plain equivalents.
import PDFDocument from 'pdfkit';
import { formatInt } from '../model.ts';
import type { Bilan } from './bilan-model.ts';
import { MAP_CLASSES, MAP_NO_TARGET, bilanSections, mapColor, projectMap, type Chart, type Section, type Table } from './sections.ts';

const WINANSI_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
const REPLACE: Record<string, string> = { '≥': '>=', '≤': '<=', '\u202f': ' ', '\u2009': ' ', '█': '#', '²': '²' };

/** Keeps what Helvetica/WinAnsi can show. */
function pdfSafe(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (REPLACE[ch] !== undefined) out += REPLACE[ch];
    else if ((c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || WINANSI_EXTRA.includes(ch)) out += ch;
    else if (ch === '\n') out += ch;
    else out += '?';
  }
  return out;
}

const MARGIN = 40;
const BLUE = '#08519c';
const LIGHT = '#9ecae1';

type Doc = PDFKit.PDFDocument;

function ensureSpace(doc: Doc, h: number) {
  if (doc.y + h > doc.page.height - MARGIN - 20) doc.addPage();
}

function drawTable(doc: Doc, t: Table) {
  const width = doc.page.width - 2 * MARGIN;
  const fontSize = t.headers.length > 9 ? 7 : 8;
  const pad = 3;
  // Each column gets at least its longest word (no word cut in two), then the rest of the page in proportion to
  // how much more its longest text needs.
  doc.font('Helvetica-Bold').fontSize(fontSize);
  const texts = (i: number) => [t.headers[i], ...t.rows.map((r) => r[i] ?? '')].map(pdfSafe);
  const minW = t.headers.map((_, i) => Math.max(...texts(i).flatMap((x) => x.split(/\s+/).map((w) => doc.widthOfString(w)))) + 2 * pad + 1);
  const wantW = t.headers.map((_, i) => Math.min(260, Math.max(...texts(i).map((x) => doc.widthOfString(x))) + 2 * pad + 1));
  const minSum = minW.reduce((s, w) => s + w, 0);
  const extra = wantW.map((w, i) => Math.max(0, w - minW[i]));
  const extraSum = extra.reduce((s, w) => s + w, 0);
  const widths =
    minSum >= width
      ? minW.map((w) => (w / minSum) * width)
      : minW.map((w, i) => w + (extraSum > 0 ? (extra[i] / extraSum) * Math.min(width - minSum, extraSum) : 0));
  const used = widths.reduce((s, w) => s + w, 0);
  if (used < width) widths.forEach((w, i) => (widths[i] = (w / used) * width));
  const rowHeight = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(fontSize);
    return Math.max(...cells.map((c, i) => doc.heightOfString(pdfSafe(c || ' '), { width: widths[i] - 2 * pad }))) + 2 * pad;
  };
  const drawRow = (cells: string[], header: boolean) => {
    const h = rowHeight(cells, header);
    let x = MARGIN;
    const y = doc.y;
    cells.forEach((c, i) => {
      if (header) doc.rect(x, y, widths[i], h).fillColor('#eef3f8').fill();
      doc.rect(x, y, widths[i], h).lineWidth(0.5).strokeColor('#bbbbbb').stroke();
      doc
        .fillColor('#1b1b1b')
        .font(header ? 'Helvetica-Bold' : 'Helvetica')
        .fontSize(fontSize)
        .text(pdfSafe(c), x + pad, y + pad, { width: widths[i] - 2 * pad, align: t.numeric.includes(i) ? 'right' : 'left', lineBreak: true });
      x += widths[i];
    });
    doc.x = MARGIN;
    doc.y = y + h;
  };
  ensureSpace(doc, rowHeight(t.headers, true) + 20);
  drawRow(t.headers, true);
  for (const r of t.rows) {
    const h = rowHeight(r, false);
    if (doc.y + h > doc.page.height - MARGIN - 20) {
      doc.addPage();
      drawRow(t.headers, true); // the header again on each page
    }
    drawRow(r, false);
  }
  doc.moveDown(0.8);
}

function drawChart(doc: Doc, c: Chart) {
  const rowH = 16;
  const labelW = 170;
  const plotW = doc.page.width - 2 * MARGIN - labelW - 90;
  const max = Math.max(1, ...c.bars.flatMap((b) => [b.target, b.achieved]));
  ensureSpace(doc, 40 + Math.min(c.bars.length, 8) * rowH);
  doc.font('Helvetica-Bold').fontSize(9).fillColor('#1b1b1b').text(pdfSafe(c.title), MARGIN, doc.y);
  let y = doc.y + 4;
  doc.rect(MARGIN + labelW, y, 10, 7).fillColor(LIGHT).fill();
  doc.font('Helvetica').fontSize(7).fillColor('#1b1b1b').text(pdfSafe(c.legend?.[0] ?? 'objectif'), MARGIN + labelW + 14, y);
  doc.rect(MARGIN + labelW + 70, y, 10, 7).fillColor(BLUE).fill();
  doc.fillColor('#1b1b1b').text(pdfSafe(c.legend?.[1] ?? `réalisé cumulé (${c.unit})`), MARGIN + labelW + 84, y);
  y += 14;
  for (const b of c.bars) {
    if (y + rowH > doc.page.height - MARGIN - 20) {
      doc.addPage();
      y = MARGIN;
    }
    const wo = (b.target / max) * plotW;
    const wr = (b.achieved / max) * plotW;
    doc.font('Helvetica').fontSize(7).fillColor('#1b1b1b').text(pdfSafe(b.label), MARGIN, y + 3, { width: labelW - 6, align: 'right', lineBreak: false, ellipsis: true });
    if (wo > 0) doc.rect(MARGIN + labelW, y + 1, wo, 6).fillColor(LIGHT).fill();
    if (wr > 0) doc.rect(MARGIN + labelW, y + 7, wr, 6).fillColor(BLUE).fill();
    doc.fillColor('#1b1b1b').text(`${formatInt(b.achieved)} / ${formatInt(b.target)}`, MARGIN + labelW + Math.max(wo, wr) + 4, y + 3, { lineBreak: false });
    y += rowH;
  }
  doc.x = MARGIN;
  doc.y = y + 8;
}

function drawMap(doc: Doc, b: Bilan) {
  const W = 420;
  const H = 300;
  const shapes = projectMap(b, W, H);
  if (!shapes.length) return;
  ensureSpace(doc, H + 40);
  const x0 = MARGIN;
  const y0 = doc.y;
  for (const s of shapes) {
    for (const r of s.rings) {
      if (r.length < 3) continue;
      doc.moveTo(x0 + r[0][0], y0 + r[0][1]);
      for (const [x, y] of r.slice(1)) doc.lineTo(x0 + x, y0 + y);
      doc.closePath();
    }
    doc.lineWidth(0.4).fillColor(mapColor(s.rate)).strokeColor('#ffffff').fillAndStroke();
  }
  let ly = y0;
  doc.font('Helvetica-Bold').fontSize(8).fillColor('#1b1b1b').text('Taux de réalisation des objectifs', x0 + W + 20, ly);
  ly += 14;
  for (const c of [...MAP_CLASSES, MAP_NO_TARGET]) {
    doc.rect(x0 + W + 20, ly, 12, 8).fillColor(c.color).fill();
    doc.font('Helvetica').fontSize(8).fillColor('#1b1b1b').text(pdfSafe(c.label), x0 + W + 36, ly);
    ly += 13;
  }
  doc.x = MARGIN;
  doc.y = y0 + H + 10;
}

export function bilanPdf(b: Bilan): Promise<Buffer> {
  return sectionsPdf({ title: b.title, subject: b.territory, subtitle: `${b.territory} — document produit le ${b.generatedAt}` }, bilanSections(b), (doc) => drawMap(doc, b));
}

/** Any document laid out as sections (the bilan, the observatory's « fiche commune »), drawn the same way. */
export function sectionsPdf(head: { title: string; subject: string; subtitle: string }, sections: Section[], drawMapOf: (doc: Doc) => void = () => {}): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: MARGIN,
    bufferPages: true,
    info: { Title: pdfSafe(head.title), Author: 'Habitat Commun', Subject: pdfSafe(head.subject) },
    lang: 'fr-FR',
  } as PDFKit.PDFDocumentOptions);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('Helvetica-Bold').fontSize(18).fillColor(BLUE).text(pdfSafe(head.title));
  doc.font('Helvetica').fontSize(10).fillColor('#1b1b1b').text(pdfSafe(head.subtitle));
  doc.moveDown();
  for (const s of sections) {
    ensureSpace(doc, 60);
    doc.font('Helvetica-Bold').fontSize(13).fillColor(BLUE).text(pdfSafe(s.title), MARGIN, doc.y);
    doc.moveDown(0.3);
    for (const p of s.paragraphs) doc.font('Helvetica').fontSize(9).fillColor('#1b1b1b').text(pdfSafe(p), MARGIN, doc.y, { width: doc.page.width - 2 * MARGIN }).moveDown(0.4);
    for (const c of s.charts ?? []) drawChart(doc, c);
    if (s.map) drawMapOf(doc);
    if (s.table) drawTable(doc, s.table);
    doc.moveDown(0.5);
  }
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing in the bottom margin must not add a page
    doc
      .font('Helvetica')
      .fontSize(7)
      .fillColor('#666666')
      .text(pdfSafe(`${head.title} — page ${i + 1} sur ${range.count}`), MARGIN, doc.page.height - 25, { width: doc.page.width - 2 * MARGIN, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
