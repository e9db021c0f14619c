// A commune's prices: key figure, price per m² over the years and month by month, distribution, volumes by type,
// land, comparison with its EPCI and département, cadastral sections and the latest sales (table and map). Every
// chart has its table; every table its source line and its CSV/JSON download.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { api, formatNumber } from '../../platform/api.ts';
import { BarChart, LineChart, type Series } from './charts.tsx';
import { PortalControls, portalQuery, usePortalState } from './Controls.tsx';
import { DataTableView, Downloads, SourceLine, withheldText } from './DataTableView.tsx';
import { SalesMap } from './SalesMap.tsx';
import { TYPE_LABEL, type CommuneAnswer, type CommuneTableName, type DataTable } from './types.ts';
import './portal.css';

const SERIES_STYLE: Record<string, { color: string; dash?: string; name: string }> = {
  maison: { color: '#1b7837', name: 'Maisons' },
  appartement: { color: '#54278f', dash: '6 4', name: 'Appartements' },
  maison_appartement: { color: '#b35806', dash: '2 3', name: 'Maisons et appartements' },
};

function seriesOf(table: DataTable, types: string[]): Series[] {
  return types
    .map((t) => ({
      ...SERIES_STYLE[t],
      points: table.lignes.filter((r) => r.type === t).map((r) => ({ x: String(r.periode), y: r.secret ? null : (r.prix_m2_median as number) })),
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
  const query = portalQuery(state, state.annee);
  const answer = useQuery({ queryKey: ['prix-commune', code, query], queryFn: () => api<CommuneAnswer>(`/api/market/portail/communes/${code}?${query}`) });
  const d = answer.data;
  const q = d ? portalQuery(state, d.annee) : query;
  const href = (t: CommuneTableName) => `/api/market/portail/communes/${code}/telechargement/${t}?${q}`;
  const t = d?.tableaux;
  const typeLabel = TYPE_LABEL[state.type];

  const annual = useMemo(() => (t ? seriesOf(t.serie_annuelle, ['maison', 'appartement']) : []), [t]);
  const monthly = useMemo(() => (t ? seriesOf(t.serie_mensuelle, [state.type]) : []), [t, state.type]);
  const points = useMemo(
    () =>
      (t?.ventes.lignes ?? [])
        .filter((v) => v.longitude !== null && v.latitude !== null)
        .map((v) => ({
          lon: v.longitude as number,
          lat: v.latitude as number,
          kind: String(v.type),
          label: `${v.date} : ${v.type}, ${formatNumber(v.prix as number)} €${v.prix_m2 ? ` (${formatNumber(v.prix_m2 as number)} €/m²)` : ''}`,
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

  const own = t.comparaison.lignes[0];
  const seuil = t.comparaison.meta.seuil_secret;
  const volumesYear = t.volumes.lignes.filter((r) => r.periode === String(d.annee) && r.secret === false);
  const hasData = d.annees.length > 0;

  return (
    <section className="portal">
      <p className="breadcrumb">
        <Link to={`/prix?${q}`}>Prix de l’immobilier</Link> › {d.commune.nom}
      </p>
      <h1 tabIndex={-1}>Prix de l’immobilier à {d.commune.nom}</h1>
      <p className="lead">
        Commune {d.commune.code}
        {d.commune.codes_postaux.length ? ` (code postal ${d.commune.codes_postaux.join(', ')})` : ''}
        {d.commune.epci_nom ? `, ${d.commune.epci_nom}` : ''}
        {d.commune.departement_nom ? `, ${d.commune.departement_nom}` : ''}.
      </p>
      {!hasData && <p>Aucune vente de ce département n’est chargée dans les données de la plateforme.</p>}
      <PortalControls state={{ ...state, annee: d.annee ?? undefined }} update={update} annees={d.annees} />

      <h2>
        L’essentiel : {typeLabel}, {d.periode}
      </h2>
      <dl className="key-figures">
        <div>
          <dt>Prix au m² médian</dt>
          <dd data-testid="prix-median">{own.secret ? withheldText(own, seuil) : `${formatNumber(own.prix_m2_median as number)} €/m²`}</dd>
        </div>
        <div>
          <dt>Nombre de ventes</dt>
          <dd>{own.secret ? (String(own.raison).startsWith('Aucune') ? '0' : String(own.raison).includes('secondaire') ? 'non publié (secret statistique)' : `moins de ${seuil}`) : formatNumber(own.nb_ventes as number)}</dd>
        </div>
        <div>
          <dt>Prix de vente médian</dt>
          <dd>{own.secret ? '—' : `${formatNumber(own.prix_median as number)} €`}</dd>
        </div>
        <div>
          <dt>La moitié des ventes entre</dt>
          <dd>{own.secret ? '—' : `${formatNumber(own.prix_m2_q1 as number)} et ${formatNumber(own.prix_m2_q3 as number)} €/m²`}</dd>
        </div>
      </dl>
      <SourceLine table={t.comparaison} />

      <h2>Évolution du prix au m²</h2>
      <h3>Année par année</h3>
      <LineChart
        title={`Prix au m² médian par année à ${d.commune.nom}, maisons et appartements`}
        description={describeSeries(annual)}
        series={annual}
        unit="€/m²"
      />
      <DataTableView
        table={t.serie_annuelle}
        caption={`Prix au m² par année à ${d.commune.nom} (€/m², nombre de ventes)`}
        columns={['periode', 'type_libelle', 'nb_ventes', 'prix_m2_median', 'prix_m2_q1', 'prix_m2_q3', 'prix_median']}
      />
      <SourceLine table={t.serie_annuelle} />
      <Downloads href={href('serie_annuelle')} what="la série annuelle" />

      <h3>Mois par mois ({typeLabel})</h3>
      <LineChart
        title={`Prix au m² médian par mois à ${d.commune.nom}, ${typeLabel}`}
        description={`${describeSeries(monthly)}. Les mois de moins de ${seuil} ventes ne sont pas publiés et laissent un trou dans la courbe.`}
        series={monthly}
        unit="€/m²"
      />
      <details>
        <summary>Voir le tableau mois par mois</summary>
        <DataTableView
          table={t.serie_mensuelle}
          caption={`Prix au m² des ${typeLabel} par mois à ${d.commune.nom} (€/m², nombre de ventes)`}
          columns={['periode', 'nb_ventes', 'prix_m2_median', 'prix_m2_q1', 'prix_m2_q3', 'prix_median']}
        />
      </details>
      <SourceLine table={t.serie_mensuelle} />
      <Downloads href={href('serie_mensuelle')} what="la série mensuelle" />

      <h2>Répartition des prix au m² ({typeLabel}, {d.periode})</h2>
      {t.distribution.lignes.length ? (
        <>
          <BarChart
            title={`Nombre de ventes par tranche de prix au m², ${typeLabel}, ${d.periode}`}
            description={`Répartition de ${formatNumber(t.distribution.lignes.reduce((s, b) => s + (b.nb_ventes as number), 0))} ventes par tranche de prix au m².`}
            bars={t.distribution.lignes.map((b) => ({ label: `${formatNumber(b.prix_m2_min as number)} à ${formatNumber(b.prix_m2_max as number)} €/m²`, value: b.nb_ventes as number }))}
            unit="ventes"
          />
          <DataTableView table={t.distribution} caption={`Ventes par tranche de prix au m², ${typeLabel}, ${d.periode}`} />
        </>
      ) : (
        <p>Répartition non publiée (secret statistique) : moins de {seuil} ventes sur la période, ou chiffre masqué pour qu’un autre ne puisse pas s’en déduire.</p>
      )}
      <SourceLine table={t.distribution} extra="Les 1 % de ventes les moins chères et les plus chères sont comptées dans la première et la dernière tranche." />
      <Downloads href={href('distribution')} what="la répartition" />

      <h2>Nombre de ventes par type de bien</h2>
      {volumesYear.length > 0 && (
        <BarChart
          title={`Nombre de ventes d’un seul bien par type en ${d.annee}`}
          description={volumesYear.map((r) => `${r.type_libelle} : ${r.nb_ventes}`).join(' ; ')}
          bars={volumesYear.map((r) => ({ label: String(r.type_libelle), value: r.nb_ventes as number }))}
          unit="ventes"
        />
      )}
      <DataTableView table={t.volumes} caption={`Ventes d’un seul bien par type et par année à ${d.commune.nom}`} columns={['periode', 'type_libelle', 'nb_ventes']} />
      <SourceLine table={t.volumes} />
      <Downloads href={href('volumes')} what="les volumes" />

      <h2>Prix des terrains à bâtir</h2>
      <DataTableView
        table={t.terrains}
        caption={`Terrains à bâtir à ${d.commune.nom}, par année (€/m² de terrain, nombre de ventes)`}
        columns={['periode', 'nb_ventes', 'prix_m2_median', 'prix_m2_q1', 'prix_m2_q3', 'prix_median']}
      />
      <SourceLine table={t.terrains} />
      <Downloads href={href('terrains')} what="les prix des terrains" />

      <h2>Comparaison avec l’intercommunalité et le département</h2>
      <BarChart
        title={`Prix au m² médian des ${typeLabel}, ${d.periode} : commune, intercommunalité, département`}
        description={t.comparaison.lignes.map((r) => `${r.nom} : ${r.secret ? 'non publié' : `${formatNumber(r.prix_m2_median as number)} €/m²`}`).join(' ; ')}
        bars={t.comparaison.lignes.filter((r) => !r.secret).map((r) => ({ label: String(r.nom), value: r.prix_m2_median as number }))}
        unit="€/m²"
      />
      <DataTableView
        table={t.comparaison}
        caption={`Prix au m² des ${typeLabel}, ${d.periode} (€/m², nombre de ventes)`}
        columns={['niveau', 'nom', 'nb_ventes', 'prix_m2_median', 'prix_m2_q1', 'prix_m2_q3', 'prix_median']}
        rowHeader="niveau"
      />
      <SourceLine table={t.comparaison} extra="L’intercommunalité et le département ne comptent que les ventes chargées dans la plateforme." />
      <Downloads href={href('comparaison')} what="la comparaison" />

      <h2>Par section cadastrale</h2>
      <p>Les quartiers de la commune au sens du cadastre (les 10 premiers caractères de la référence des parcelles).</p>
      <DataTableView
        table={t.sections}
        caption={`Prix au m² des ${typeLabel} par section cadastrale, ${d.periode}`}
        columns={['section', 'nb_ventes', 'prix_m2_median', 'prix_m2_q1', 'prix_m2_q3', 'prix_median']}
        rowHeader="section"
      />
      <SourceLine table={t.sections} />
      <Downloads href={href('sections')} what="les sections" />

      <h2>Dernières ventes</h2>
      <SalesMap points={points} label={`Carte des ${points.length} dernières ventes géolocalisées de ${d.commune.nom} ; le tableau ci-dessous donne les mêmes ventes`} />
      <DataTableView
        table={t.ventes}
        caption={`Les ${t.ventes.lignes.length} dernières ventes de ${d.commune.nom}`}
        columns={['date', 'type', 'surface', 'pieces', 'prix', 'prix_m2', 'surface_terrain', 'section']}
      />
      <SourceLine table={t.ventes} extra="Sans adresse ; position arrondie à 100 m environ. Ces données ne doivent pas servir à identifier des personnes." />
      <Downloads href={href('ventes')} what="les dernières ventes" />
    </section>
  );
}
