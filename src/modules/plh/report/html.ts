// The bilan as one self-contained HTML page (inline CSS and SVG: it can be mailed or put online as it is).
import { formatInt } from '../model.ts';
import type { Bilan } from './bilan-model.ts';
import { MAP_CLASSES, MAP_NO_TARGET, bilanSections, mapColor, projectMap, type Chart, type Table } from './sections.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function tableHtml(t: Table): string {
  const cls = (i: number) => (t.numeric.includes(i) ? ' class="n"' : '');
  return `<table><thead><tr>${t.headers.map((h, i) => `<th scope="col"${cls(i)}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
    .map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function chartSvg(c: Chart): string {
  const rowH = 22;
  const labelW = 200;
  const plotW = 440;
  const max = Math.max(1, ...c.bars.flatMap((b) => [b.target, b.achieved]));
  const h = c.bars.length * rowH + 40;
  const bars = c.bars
    .map((b, i) => {
      const y = 30 + i * rowH;
      const wo = (b.target / max) * plotW;
      const wr = (b.achieved / max) * plotW;
      return `<text x="${labelW - 6}" y="${y + 13}" text-anchor="end">${esc(b.label)}</text>
<rect x="${labelW}" y="${y + 2}" width="${wo.toFixed(1)}" height="8" fill="#9ecae1"><title>Objectif : ${formatInt(b.target)}</title></rect>
<rect x="${labelW}" y="${y + 10}" width="${wr.toFixed(1)}" height="8" fill="#08519c"><title>Réalisé : ${formatInt(b.achieved)}</title></rect>
<text x="${labelW + Math.max(wo, wr) + 4}" y="${y + 15}">${formatInt(b.achieved)} / ${formatInt(b.target)}</text>`;
    })
    .join('\n');
  const summary = c.bars.map((b) => `${b.label} : ${formatInt(b.achieved)} réalisés sur ${formatInt(b.target)}`).join(' ; ');
  return `<figure><svg role="img" aria-label="${esc(`${c.title}. ${summary}`)}" viewBox="0 0 ${labelW + plotW + 90} ${h}" width="100%" font-size="11" font-family="sans-serif">
<rect x="${labelW}" y="6" width="10" height="8" fill="#9ecae1"/><text x="${labelW + 14}" y="14">objectif</text>
<rect x="${labelW + 80}" y="6" width="10" height="8" fill="#08519c"/><text x="${labelW + 94}" y="14">réalisé cumulé (${esc(c.unit)})</text>
${bars}</svg><figcaption>${esc(c.title)}</figcaption></figure>`;
}

function mapSvg(b: Bilan): string {
  const W = 600;
  const H = 420;
  const shapes = projectMap(b, W, H);
  if (!shapes.length) return '';
  const paths = shapes
    .map((s) => {
      const d = s.rings.map((r) => `M${r.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join('L')}Z`).join('');
      const label = s.rate === null ? 'sans objectif' : `${Math.round(s.rate * 100)} % réalisé`;
      return `<path d="${d}" fill="${mapColor(s.rate)}" stroke="#fff" stroke-width="0.6"><title>${esc(`${s.name} : ${label}`)}</title></path>`;
    })
    .join('\n');
  const legend = [...MAP_CLASSES, MAP_NO_TARGET]
    .map((c) => `<li><span style="background:${c.color}"></span>${esc(c.label)}</li>`)
    .join('');
  return `<figure><svg role="img" aria-label="Carte des communes selon le taux de réalisation de leurs objectifs" viewBox="0 0 ${W} ${H}" width="100%">${paths}</svg>
<figcaption>Taux de réalisation des objectifs (toutes catégories) par commune</figcaption><ul class="legend">${legend}</ul></figure>`;
}

export function bilanHtml(b: Bilan): string {
  const body = bilanSections(b)
    .map(
      (s) => `<section><h2>${esc(s.title)}</h2>${s.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('')}${(s.charts ?? []).map(chartSvg).join('')}${
        s.map ? mapSvg(b) : ''
      }${s.table ? tableHtml(s.table) : ''}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${esc(b.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2rem auto;max-width:60rem;color:#1b1b1b;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;border-bottom:2px solid #08519c;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#eef3f8}.n{text-align:right;white-space:nowrap}figure{margin:1rem 0}figcaption{font-size:.85rem;color:#444}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;padding:0;font-size:.85rem}.legend span{display:inline-block;width:1rem;height:.8rem;margin-right:.3rem;vertical-align:middle;border:1px solid #999}
</style></head>
<body><header><h1>${esc(b.title)}</h1><p>${esc(b.territory)} — document produit le ${esc(b.generatedAt)}</p></header>
<main>${body}</main></body></html>`;
}
