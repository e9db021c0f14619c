// A commune over the period of the reader's choice (`?du=2018-03&au=2018-06`, by default the last 12 months of the
// data): the median with its number of sales, interquartile range and 95 % confidence interval; the commune against
// its EPCI, its département and the other communes; the cadastral sections; the sales of the period on a map and in
// a list (a sale's details with the other sales of its parcel); distributions; the repeat-sales index of the EPCI.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, formatNumber } from '../../platform/api.ts';
import type { PortalType } from '../../../modules/market/contract.ts';
import type { PeriodAnswer, PortalSale, Stats } from '../../../modules/market/contract-portal.ts';
import { BarChart, LineChart } from './charts.tsx';
import { MonthRange } from './Controls.tsx';
import { PeriodMap } from './PeriodMap.tsx';
import { TableWrap } from '../../platform/TableWrap.tsx';

const n = (v: number | null) => (v === null ? '—' : formatNumber(v));
const SHOWN_SALES = 40;

/** A median as a sentence: figure, number of sales, interval; or why it is not published. */
function statsText(s: Stats, min: number): string {
  if (s.withheld) return String(s.reason ?? '').startsWith('Aucune') ? 'aucune vente' : `secret statistique (moins de ${min} ventes, ou masqué pour protéger un chiffre voisin)`;
  return `${n(s.price_m2_median)} €/m²`;
}

/** A small table whose wide content scrolls inside a labelled, focusable region (usable at 375 px). */
function Table({ caption, head, rows }: { caption: string; head: string[]; rows: ReactNode[][] }) {
  return (
    <TableWrap label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (j === 0 ? <th key={j} scope="row">{c}</th> : <td key={j}>{c}</td>))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

const STATS_HEAD = ['Ventes', 'Prix au m² médian (€/m²)', 'Intervalle de confiance à 95 % (€/m²)', 'Écart interquartile (€/m²)', 'Prix médian (€)'];
const statsCells = (s: Stats, min: number): ReactNode[] =>
  s.withheld
    ? [statsText(s, min), '—', '—', '—', '—']
    : [n(s.sales_count), n(s.price_m2_median), `${n(s.price_m2_ci_low)} à ${n(s.price_m2_ci_high)}`, `${n(s.price_m2_iqr)} (${n(s.price_m2_q1)} à ${n(s.price_m2_q3)})`, n(s.price_median)];

function SaleDetails({ sale }: { sale: PortalSale }) {
  return (
    <div className="sale-details" data-testid="vente-detail" aria-live="polite">
      <h4>
        Vente du {sale.date} : {sale.type.toLowerCase()}
      </h4>
      <dl className="key-figures">
        <div>
          <dt>Prix</dt>
          <dd>{sale.price === null ? '—' : `${n(sale.price)} €`}</dd>
        </div>
        <div>
          <dt>Prix au m²</dt>
          <dd>{sale.price_m2 === null ? '— (vente de plusieurs biens ou sans surface)' : `${n(sale.price_m2)} €/m²`}</dd>
        </div>
        <div>
          <dt>Surface habitable</dt>
          <dd>{sale.surface === null ? '—' : `${n(sale.surface)} m²`}</dd>
        </div>
        <div>
          <dt>Pièces principales</dt>
          <dd>{sale.rooms === null ? '—' : n(sale.rooms)}</dd>
        </div>
        <div>
          <dt>Terrain</dt>
          <dd>{sale.surface_terrain === null ? '—' : `${n(sale.surface_terrain)} m²`}</dd>
        </div>
        <div>
          <dt>Parcelle</dt>
          <dd>
            {sale.parcel ?? '—'}
            {sale.street ? `, ${sale.street.toLowerCase()}` : ''}
          </dd>
        </div>
      </dl>
      {sale.same_parcel.length ? (
        <>
          <p>Autres ventes de la même parcelle (toutes années chargées) :</p>
          <ul>
            {sale.same_parcel.map((o) => (
              <li key={o.id}>
                {o.date} : {o.type.toLowerCase()}, {o.price === null ? 'prix inconnu' : `${n(o.price)} €`}
                {o.surface ? `, ${n(o.surface)} m²` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>Aucune autre vente de cette parcelle dans les données chargées.</p>
      )}
    </div>
  );
}

export function CommunePeriod({ code, type, name }: { code: string; type: PortalType; name: string }) {
  const [params, setParams] = useSearchParams();
  const from = params.get('du') ?? '';
  const to = params.get('au') ?? '';
  const q = new URLSearchParams({ type });
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  // `?methode=etalab`: data.gouv.fr's « Statistiques DVF » rules, to compare with them.
  if (params.get('methode') === 'etalab') q.set('method', 'etalab');
  const answer = useQuery({
    queryKey: ['prix-periode', code, q.toString()],
    queryFn: () => api<PeriodAnswer>(`/api/market/portal/communes/${code}/period?${q}`),
    // The form stays while the next period loads: the reader can set both months in a row.
    placeholderData: keepPreviousData,
  });
  const [selected, setSelected] = useState<string | null>(null);
  const [shown, setShown] = useState(SHOWN_SALES);
  const d = answer.data;
  const mapSales = useMemo(
    () =>
      (d?.sales.rows ?? [])
        .filter((s) => s.longitude !== null && s.latitude !== null)
        .map((s) => ({ id: s.id, lon: s.longitude!, lat: s.latitude!, kind: s.type, label: `${s.date} : ${s.type}, ${s.price === null ? '' : `${n(s.price)} €`}${s.price_m2 ? ` (${n(s.price_m2)} €/m²)` : ''}` })),
    [d],
  );
  const mapSections = useMemo(
    () =>
      (d?.sections.rows ?? [])
        .filter((s) => s.longitude !== null && s.latitude !== null)
        .map((s) => ({ code: s.section, lon: s.longitude!, lat: s.latitude!, outline: s.outline, label: `Section ${s.section.slice(5)} : ${n(s.price_m2_median)} €/m² (médiane, ${n(s.sales_count)} ventes)` })),
    [d],
  );
  // From the latest URL, not this render's: two months changed in a row both stay.
  const setMonth = (key: 'du' | 'au', v: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (v) next.set(key, v);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );

  if (answer.isError) return <p role="alert">La période n’a pas pu être chargée : {(answer.error as Error).message}</p>;
  if (!d) return <p>Chargement de la période…</p>;
  if (!d.period) return <p>Aucune vente de ce département n’est chargée dans les données.</p>;
  const min = d.secrecy_min_count;
  const sale = d.sales.rows.find((s) => s.id === selected);
  const price = d.distributions.price_m2.find((x) => x.type === type)!;
  const surface = d.distributions.surface.find((x) => x.type === type)!;
  const idx = d.repeat_sales;
  const compared = d.comparison.rows.filter((r) => !r.withheld);

  return (
    <section aria-labelledby="periode-titre" className="period">
      <h2 id="periode-titre">Sur la période de votre choix</h2>
      <fieldset className="portal-controls">
        <legend>Période (mois présents dans les données : {d.months[0]} à {d.months.at(-1)})</legend>
        <MonthRange id="periode" months={d.months} shown={{ from: from || d.period.from, to: to || d.period.to }} onChange={setMonth} />
      </fieldset>
      <p data-testid="periode-libelle">
        Période : <strong>{d.period.label}</strong>
        {d.period.default ? ' (par défaut, les 12 derniers mois des données)' : ''}. {d.edition.label}. Données partielles de démonstration : seules les ventes
        chargées dans la plateforme sont comptées.
      </p>
      <dl className="key-figures">
        <div>
          <dt>Prix au m² médian, {d.type_label.toLowerCase()}</dt>
          <dd data-testid="periode-mediane">{statsText(d.summary, min)}</dd>
        </div>
        <div>
          <dt>Nombre de ventes</dt>
          <dd data-testid="periode-ventes">{d.summary.withheld ? '—' : n(d.summary.sales_count)}</dd>
        </div>
        <div>
          <dt>Intervalle de confiance à 95 % de la médiane</dt>
          <dd>{d.summary.withheld ? '—' : `${n(d.summary.price_m2_ci_low)} à ${n(d.summary.price_m2_ci_high)} €/m²`}</dd>
        </div>
        <div>
          <dt>Écart interquartile (la moitié centrale des prix)</dt>
          <dd>{d.summary.withheld ? '—' : `${n(d.summary.price_m2_iqr)} €/m² (${n(d.summary.price_m2_q1)} à ${n(d.summary.price_m2_q3)})`}</dd>
        </div>
      </dl>

      <h3>{name} face à son intercommunalité, son département et les autres communes</h3>
      <BarChart
        title={`Prix au m² médian des ${d.type_label.toLowerCase()}, ${d.period.label}`}
        description={compared.map((r) => `${r.name} : ${n(r.price_m2_median)} €/m² (${n(r.sales_count)} ventes, de ${n(r.price_m2_ci_low)} à ${n(r.price_m2_ci_high)})`).join(' ; ')}
        bars={compared.map((r) => ({ label: r.name, value: r.price_m2_median!, color: r.code === code ? '#54278f' : r.level === 'Autre commune' ? '#9e9ac8' : '#1b7837' }))}
        unit="€/m²"
      />
      <Table caption={`Comparaison, ${d.type_label.toLowerCase()}, ${d.period.label}`} head={['Territoire', 'Niveau', ...STATS_HEAD]} rows={d.comparison.rows.map((r) => [r.name, r.level, ...statsCells(r, min)])} />
      {d.comparison.grouped && <p>Non détaillées : {d.comparison.grouped}.</p>}

      <h3>Par section cadastrale</h3>
      <p>
        Les sections du cadastre (commune, préfixe et lettres de section de la référence des parcelles). Sur la carte, une section est dessinée par le contour de
        ses ventes de la période (le plus petit polygone convexe qui contient leurs positions arrondies à 100 m environ) et par leur centre : c’est là où se sont
        faites les ventes, pas le contour cadastral de la section. Une section de moins de trois positions distinctes n’est qu’un point.
      </p>
      <Table
        caption={`Prix au m² des ${d.type_label.toLowerCase()} par section cadastrale, ${d.period.label}`}
        head={['Section', ...STATS_HEAD]}
        rows={d.sections.rows.map((r) => [r.section, ...statsCells(r, min)])}
      />
      {d.sections.grouped && <p>Non détaillées : {d.sections.grouped}.</p>}

      <h3>Les ventes de la période ({n(d.sales.total)})</h3>
      <PeriodMap sales={mapSales} sections={mapSections} label={`Carte des ventes de ${name}, ${d.period.label}, et des sections cadastrales ; la liste ci-dessous donne les mêmes ventes`} onSelect={setSelected} />
      {sale && <SaleDetails sale={sale} />}
      <p className="source">{d.sales.note}</p>
      {d.sales.withheld_reason && <p data-testid="ventes-non-listees">{d.sales.withheld_reason}</p>}
      <ul className="sale-list" aria-label={`Ventes de ${name}, ${d.period.label}`}>
        {d.sales.rows.slice(0, shown).map((s) => (
          <li key={s.id}>
            <button type="button" className="link-button" aria-pressed={s.id === selected} onClick={() => setSelected(s.id)}>
              {s.date} : {s.type.toLowerCase()}
              {s.surface ? `, ${n(s.surface)} m²` : ''}
              {s.rooms ? `, ${s.rooms} p.` : ''}, {s.price === null ? 'prix inconnu' : `${n(s.price)} €`}
            </button>
          </li>
        ))}
      </ul>
      {d.sales.rows.length > shown && (
        <button type="button" onClick={() => setShown(shown + 200)}>
          Voir plus de ventes ({n(d.sales.rows.length - shown)} restantes)
        </button>
      )}

      <h3>Répartitions ({d.type_label.toLowerCase()}, {d.period.label})</h3>
      {price.withheld ? (
        <p>Répartitions non publiées (secret statistique).</p>
      ) : (
        <>
          <BarChart
            title={`Ventes de la période par tranche de prix au m², ${d.type_label.toLowerCase()}, ${d.period.label}`}
            description={`Répartition de ${n(price.sales_count)} ventes par tranche de prix au m².`}
            bars={price.bins.map((b) => ({ label: `${n(b.min)} à ${n(b.max)} €/m²`, value: b.sales_count }))}
            unit="ventes"
          />
          <p data-testid="histogramme-ventes">Ventes comptées dans la répartition des prix : {n(price.sales_count)}.</p>
          <BarChart
            title={`Ventes de la période par tranche de surface habitable, ${d.type_label.toLowerCase()}, ${d.period.label}`}
            description={`Répartition de ${n(surface.sales_count)} ventes par surface.`}
            bars={surface.bins.map((b) => ({ label: `${n(b.min)} à ${n(b.max)} m²`, value: b.sales_count }))}
            unit="ventes"
          />
        </>
      )}
      <Table caption={`Prix selon le nombre de pièces, ${d.type_label.toLowerCase()}, ${d.period.label}`} head={['Pièces', ...STATS_HEAD]} rows={d.distributions.rooms.map((r) => [r.rooms, ...statsCells(r, min)])} />

      <h3>Indice des ventes répétées — {idx.area}</h3>
      {idx.quarters ? (
        <LineChart
          title={`Indice des prix par ventes répétées, ${idx.area} (base 100 au premier trimestre)`}
          description={`${idx.pairs} paires de ventes d’un même logement.`}
          series={[{ name: 'Indice', color: '#54278f', points: idx.quarters.map((x) => ({ x: x.quarter, y: x.index })) }]}
          unit="indice"
        />
      ) : (
        <p data-testid="indice-ventes-repetees">{idx.reason}</p>
      )}
      <p className="source">
        {idx.method} <Link to="/prix/methode">La méthode</Link>.
      </p>
    </section>
  );
}
