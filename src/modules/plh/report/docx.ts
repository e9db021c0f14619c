// The bilan as an editable Word document (docx): the same sections as the HTML, the charts as tables with bars
// drawn in text so élus' offices can edit them; the map stays in the PDF and HTML versions.
import {
  AlignmentType,
  Document,
  Footer,
  HeadingLevel,
  PageNumber,
  PageOrientation,
  Packer,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { formatInt } from '../model.ts';
import type { Bilan } from './bilan-model.ts';
import { bilanSections, type Chart, type Section, type Table as BilanTable } from './sections.ts';

const FONT = 'Arial';

function cell(text: string, opts: { header?: boolean; right?: boolean } = {}): TableCell {
  return new TableCell({
    children: [
      new Paragraph({
        alignment: opts.right ? AlignmentType.RIGHT : AlignmentType.LEFT,
        children: [new TextRun({ text, bold: opts.header, size: 16, font: FONT })],
      }),
    ],
    shading: opts.header ? { type: ShadingType.CLEAR, fill: 'EEF3F8', color: 'auto' } : undefined,
  });
}

function docxTable(t: BilanTable): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: t.headers.map((h, i) => cell(h, { header: true, right: t.numeric.includes(i) })) }),
      ...t.rows.map((r) => new TableRow({ children: r.map((c, i) => cell(c, { right: t.numeric.includes(i) })) })),
    ],
  });
}

function chartTable(c: Chart): Table {
  const max = Math.max(1, ...c.bars.flatMap((b) => [b.target, b.achieved]));
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: [cell(c.labelHeader ?? 'Commune', { header: true }), cell(c.legend?.[0] ?? 'Objectif', { header: true, right: true }), cell(c.legend?.[1] ?? 'Réalisé', { header: true, right: true }), cell(c.legend ? `${c.legend[0]} (clair) et ${c.legend[1]} (foncé)` : 'Objectif (clair) et réalisé (foncé)', { header: true })] }),
      ...c.bars.map(
        (b) =>
          new TableRow({
            children: [
              cell(b.label),
              cell(formatInt(b.target), { right: true }),
              cell(formatInt(b.achieved), { right: true }),
              new TableCell({
                children: [
                  new Paragraph({ children: [new TextRun({ text: '█'.repeat(Math.round((b.target / max) * 30)) || ' ', color: '9ECAE1', size: 12, font: FONT })] }),
                  new Paragraph({ children: [new TextRun({ text: '█'.repeat(Math.round((b.achieved / max) * 30)) || ' ', color: '08519C', size: 12, font: FONT })] }),
                ],
              }),
            ],
          }),
      ),
    ],
  });
}

export async function bilanDocx(b: Bilan): Promise<Buffer> {
  return sectionsDocx({ title: b.title, subtitle: `${b.territory} — document produit le ${b.generatedAt}` }, bilanSections(b));
}

/** Any document laid out as sections (the bilan, the observatory's « fiche commune »), written the same way. */
export async function sectionsDocx(head: { title: string; subtitle: string }, sections: Section[]): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun({ text: head.title, font: FONT })] }),
    new Paragraph({ children: [new TextRun({ text: head.subtitle, italics: true, font: FONT })] }),
  ];
  for (const s of sections) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun({ text: s.title, font: FONT })] }));
    for (const p of s.paragraphs) children.push(new Paragraph({ children: [new TextRun({ text: p, font: FONT, size: 20 })] }));
    for (const c of s.charts ?? []) {
      children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun({ text: c.title, font: FONT })] }));
      children.push(chartTable(c));
    }
    if (s.map) children.push(new Paragraph({ children: [new TextRun({ text: 'La carte des taux de réalisation par commune figure dans les versions PDF et HTML de ce bilan.', italics: true, font: FONT, size: 18 })] }));
    if (s.table) {
      children.push(new Paragraph({ text: '' }));
      children.push(docxTable(s.table));
    }
  }
  // `language` is passed as before, though docx's types do not declare it.
  const options: ConstructorParameters<typeof Document>[0] & { language: string } = {
    creator: 'Habitat Commun',
    title: head.title,
    language: 'fr-FR',
    styles: { default: { document: { run: { font: FONT } } } },
    sections: [
      {
        properties: { page: { size: { orientation: PageOrientation.LANDSCAPE } } },
        footers: {
          default: new Footer({
            children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: [`${head.title} — page `, PageNumber.CURRENT], size: 16, font: FONT })] })],
          }),
        },
        children,
      },
    ],
  };
  const doc = new Document(options);
  return Packer.toBuffer(doc);
}
