// A commune's prices: key figure, price per m² over the years and month by month, distribution, volumes by type,
// land, comparison with its EPCI and département, cadastral sections and the latest sales (table and map). Every
// chart has its table; every table its source line and its CSV/JSON download.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { api, formatNumber } from '../../platform/api.ts';
import { DemoNotice } from '../../platform/DemoNotice.tsx';
import { BarChart, LineChart, type Series } from './charts.tsx';
import { PortalControls, apiQuery, pageQuery, usePortalState } from './Controls.tsx';
import { DataTableView, Downloads, SourceLine, withheldText } from './DataTableView.tsx';
import { SalesMap } from './SalesMap.tsx';
import { CommunePeriod } from './CommunePeriod.tsx';
import type { CommunePageAnswer, CommuneTable, SeriesRow } from '../../../modules/market/contract.ts';
import { TYPE_LABEL } from './labels.ts';
import './portal.css';

const SERIES_STYLE: Record<string, { color: string; dash?: string; name: string }> = {
  maison: { color: '#1b7837', name: 'Maisons' },
  appartement: { color: '#54278f', dash: '6 4', name: 'Appartements' },
  maison_appartement: { color: '#b35806', dash: '2 3', name: 'Maisons et appartements' },
};

function seriesOf(table: { rows: SeriesRow[] }, types: string[]): Series[] {
  return types
    .map((t) => ({
      ...SERIES_STYLE[t],
      points: table.rows.filter((r) => r.type === t).map((r) => ({ x: r.period, y: r.withheld ? null : r.price_m2_median })),
    }))
    .filter((s) => s.points.length);
}

/** Readable summary of a series for the chart's description. */
function describeSeries(series: Series[]): string {
  return series
    .map((s) => {
      const shown = s.points.filter((p) => p.y !== null);
      if (!shown.length) return `${s.name} : aucun chiffre publié`;
      const first = shown[0];
      const last = shown.at(-1)!;
      return `${s.name} : ${formatNumber(first.y)} €/m² en ${first.x}${shown.length > 1 ? `, ${formatNumber(last.y)} €/m² en ${last.x}` : ''}`;
    })
    .join(' ; ');
}

export function CommunePricesPage() {
  const { code = '' } = useParams();
  const [state, update] = usePortalState();
  const query = apiQuery(state, state.year);
  const answer = useQuery({ queryKey: ['prix-commune', code, query], queryFn: () => api<CommunePageAnswer>(`/api/market/portal/communes/${code}?${query}`) });
  const d = answer.data;
  const q = d ? pageQuery(state, d.year) : pageQuery(state, state.year);
  const href = (t: CommuneTable) => `/api/market/portal/communes/${code}/download/${t}?${d ? apiQuery(state, d.year) : query}`;
  const t = d?.tables;
  const typeLabel = TYPE_LABEL[state.type];

  const annual = useMemo(() => (t ? seriesOf(t.yearly_series, ['maison', 'appartement']) : []), [t]);
  const monthly = useMemo(() => (t ? seriesOf(t.monthly_series, [state.type]) : []), [t, state.type]);
  const points = useMemo(
    () =>
      (t?.sales.rows ?? [])
        .filter((v) => v.longitude !== null && v.latitude !== null)
        .map((v) => ({
          lon: v.longitude as number,
          lat: v.latitude as number,
          kind: v.type,
          label: `${v.date} : ${v.type}, ${formatNumber(v.price as number)} €${v.price_m2 ? ` (${formatNumber(v.price_m2)} €/m²)` : ''}`,
        })),
    [t],
  );

  if (answer.isError) {
    return (
      <section className="portal">
        <h1 tabIndex={-1}>Prix de l’immobilier</h1>
        <p role="alert">Cette commune n’a pas pu être chargée : {(answer.error as Error).message}</p>
        <p>
          <Link to="/prix">Revenir à la carte des prix</Link>
        </p>
      </section>
    );
  }
  if (!d || !t) {
    return (
      <section className="portal">
        <h1 tabIndex={-1}>Prix de l’immobilier</h1>
        <p>Chargement…</p>
      </section>
    );
  }

  const own = t.comparison.rows[0];
  const min = t.comparison.meta.secrecy_min_count;
  const volumesYear = t.volumes.rows.filter((r) => r.period === String(d.year) && r.withheld === false);
  const hasData = d.years.length > 0;

  return (
    <section className="portal">
      <p className="breadcrumb">
        <Link to={`/prix?${q}`}>Prix de l’immobilier</Link> › {d.commune.name}
      </p>
      <h1 tabIndex={-1}>Prix de l’immobilier à {d.commune.name}</h1>
      <DemoNotice sources={['dvf']} />
      <p className="lead">
        Commune {d.commune.code}
        {d.commune.postal_codes.length ? ` (code postal ${d.commune.postal_codes.join(', ')})` : ''}
        {d.commune.epci_name ? `, ${d.commune.epci_name}` : ''}
        {d.commune.departement_name ? `, ${d.commune.departement_name}` : ''}.
      </p>
      {!hasData && <p>Aucune vente de ce département n’est chargée dans les données de la plateforme.</p>}
      <PortalControls state={{ ...state, year: d.year ?? undefined }} update={update} years={d.years} />

      <h2>
        L’essentiel : {typeLabel}, {d.period}
      </h2>
      <dl className="key-figures">
        <div>
          <dt>Prix au m² médian</dt>
          <dd data-testid="prix-median">{own.withheld ? withheldText(own, min) : `${formatNumber(own.price_m2_median as number)} €/m²`}</dd>
        </div>
        <div>
          <dt>Nombre de ventes</dt>
          <dd>{own.withheld ? (String(own.reason).startsWith('Aucune') ? '0' : String(own.reason).includes('secondaire') ? 'non publié (secret statistique)' : `moins de ${min}`) : formatNumber(own.sales_count as number)}</dd>
        </div>
        <div>
          <dt>Prix de vente médian</dt>
          <dd>{own.withheld ? '—' : `${formatNumber(own.price_median as number)} €`}</dd>
        </div>
        <div>
          <dt>La moitié des ventes entre</dt>
          <dd>{own.withheld ? '—' : `${formatNumber(own.price_m2_q1 as number)} et ${formatNumber(own.price_m2_q3 as number)} €/m²`}</dd>
        </div>
      </dl>
      <SourceLine table={t.comparison} />

      {hasData && <CommunePeriod code={code} type={state.type} name={d.commune.name} />}

      <h2>Évolution du prix au m²</h2>
      <h3>Année par année</h3>
      <LineChart
        title={`Prix au m² médian par année à ${d.commune.name}, maisons et appartements`}
        description={describeSeries(annual)}
        series={annual}
        unit="€/m²"
      />
      <DataTableView
        table={t.yearly_series}
        caption={`Prix au m² par année à ${d.commune.name} (€/m², nombre de ventes)`}
        columns={['period', 'type_label', 'sales_count', 'price_m2_median', 'price_m2_q1', 'price_m2_q3', 'price_median']}
      />
      <SourceLine table={t.yearly_series} />
      <Downloads href={href('yearly_series')} what="la série annuelle" />

      <h3>Mois par mois ({typeLabel})</h3>
      <LineChart
        title={`Prix au m² médian par mois à ${d.commune.name}, ${typeLabel}`}
        description={`${describeSeries(monthly)}. Les mois de moins de ${min} ventes ne sont pas publiés et laissent un trou dans la courbe.`}
        series={monthly}
        unit="€/m²"
      />
      <details>
        <summary>Voir le tableau mois par mois</summary>
        <DataTableView
          table={t.monthly_series}
          caption={`Prix au m² des ${typeLabel} par mois à ${d.commune.name} (€/m², nombre de ventes)`}
          columns={['period', 'sales_count', 'price_m2_median', 'price_m2_q1', 'price_m2_q3', 'price_median']}
        />
      </details>
      <SourceLine table={t.monthly_series} />
      <Downloads href={href('monthly_series')} what="la série mensuelle" />

      <h2>Répartition des prix au m² ({typeLabel}, {d.period})</h2>
      {t.distribution.rows.length ? (
        <>
          <BarChart
            title={`Nombre de ventes par tranche de prix au m², ${typeLabel}, ${d.period}`}
            description={`Répartition de ${formatNumber(t.distribution.rows.reduce((s, b) => s + b.sales_count, 0))} ventes par tranche de prix au m².`}
            bars={t.distribution.rows.map((b) => ({ label: `${formatNumber(b.price_m2_min)} à ${formatNumber(b.price_m2_max)} €/m²`, value: b.sales_count }))}
            unit="ventes"
          />
          <DataTableView table={t.distribution} caption={`Ventes par tranche de prix au m², ${typeLabel}, ${d.period}`} />
        </>
      ) : (
        <p>Répartition non publiée (secret statistique) : moins de {min} ventes sur la période, ou chiffre masqué pour qu’un autre ne puisse pas s’en déduire.</p>
      )}
      <SourceLine table={t.distribution} extra="Les 1 % de ventes les moins chères et les plus chères sont comptées dans la première et la dernière tranche." />
      <Downloads href={href('distribution')} what="la répartition" />

      <h2>Nombre de ventes par type de bien</h2>
      {volumesYear.length > 0 && (
        <BarChart
          title={`Nombre de ventes d’un seul bien par type en ${d.year}`}
          description={volumesYear.map((r) => `${r.type_label} : ${r.sales_count}`).join(' ; ')}
          bars={volumesYear.map((r) => ({ label: r.type_label, value: r.sales_count as number }))}
          unit="ventes"
        />
      )}
      <DataTableView table={t.volumes} caption={`Ventes d’un seul bien par type et par année à ${d.commune.name}`} columns={['period', 'type_label', 'sales_count']} />
      <SourceLine table={t.volumes} />
      <Downloads href={href('volumes')} what="les volumes" />

      <h2>Prix des terrains à bâtir</h2>
      <DataTableView
        table={t.building_land}
        caption={`Terrains à bâtir à ${d.commune.name}, par année (€/m² de terrain, nombre de ventes)`}
        columns={['period', 'sales_count', 'price_m2_median', 'price_m2_q1', 'price_m2_q3', 'price_median']}
      />
      <SourceLine table={t.building_land} />
      <Downloads href={href('building_land')} what="les prix des terrains" />

      <h2>Comparaison avec l’intercommunalité et le département</h2>
      <BarChart
        title={`Prix au m² médian des ${typeLabel}, ${d.period} : commune, intercommunalité, département`}
        description={t.comparison.rows.map((r) => `${r.name} : ${r.withheld ? 'non publié' : `${formatNumber(r.price_m2_median as number)} €/m²`}`).join(' ; ')}
        bars={t.comparison.rows.filter((r) => !r.withheld).map((r) => ({ label: r.name, value: r.price_m2_median as number }))}
        unit="€/m²"
      />
      <DataTableView
        table={t.comparison}
        caption={`Prix au m² des ${typeLabel}, ${d.period} (€/m², nombre de ventes)`}
        columns={['level', 'name', 'sales_count', 'price_m2_median', 'price_m2_q1', 'price_m2_q3', 'price_median']}
        rowHeader="level"
      />
      <SourceLine table={t.comparison} extra="L’intercommunalité et le département ne comptent que les ventes chargées dans la plateforme." />
      <Downloads href={href('comparison')} what="la comparaison" />

      <h2>Par section cadastrale</h2>
      <p>Les quartiers de la commune au sens du cadastre (les 10 premiers caractères de la référence des parcelles).</p>
      <DataTableView
        table={t.sections}
        caption={`Prix au m² des ${typeLabel} par section cadastrale, ${d.period}`}
        columns={['section', 'sales_count', 'price_m2_median', 'price_m2_q1', 'price_m2_q3', 'price_median']}
        rowHeader="section"
      />
      <SourceLine table={t.sections} />
      <Downloads href={href('sections')} what="les sections" />

      <h2>Dernières ventes</h2>
      <SalesMap points={points} label={`Carte des ${points.length} dernières ventes géolocalisées de ${d.commune.name} ; le tableau ci-dessous donne les mêmes ventes`} />
      <DataTableView
        table={t.sales}
        caption={`Les ${t.sales.rows.length} dernières ventes de ${d.commune.name}`}
        columns={['date', 'type', 'surface', 'rooms', 'price', 'price_m2', 'surface_terrain', 'section']}
      />
      <SourceLine table={t.sales} extra="Sans adresse ; position arrondie à 100 m environ. Ces données ne doivent pas servir à identifier des personnes." />
      <Downloads href={href('sales')} what="les dernières ventes" />
    </section>
  );
}
