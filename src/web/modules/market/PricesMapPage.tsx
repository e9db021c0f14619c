// « Prix de l’immobilier »: the territory's communes coloured by median price per m², the same figures in a table
// (keyboard and screen-reader users open each commune's page from it), search, and downloads.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { bboxOf } from '../../../modules/territory/model.ts';
import { api, formatNumber } from '../../platform/api.ts';
import { ChoroplethMap, type MapClass } from '../../platform/ChoroplethMap.tsx';
import { DemoNotice } from '../../platform/DemoNotice.tsx';
import { CommuneSearch } from './CommuneSearch.tsx';
import type { MapPeriodAnswer } from '../../../modules/market/contract-portal.ts';
import { MonthRange, PortalControls, usePortalState } from './Controls.tsx';
import { DataTableView, Downloads, SourceLine } from './DataTableView.tsx';
import { SvgChoropleth, type SvgFeature } from './SvgChoropleth.tsx';
import { TYPE_LABEL } from './labels.ts';
import './portal.css';

// Withheld and empty communes get their own grey, below every price class (see ChoroplethMap's step expression).
const SECRET = -2;
const NO_SALE = -1;

/** The territory's contours (/api/territory/map): each commune with its EPCI. */
interface Contours {
  features: (SvgFeature & { type: 'Feature'; properties: { code: string; name: string; epci: string } })[];
}

export function PricesMapPage() {
  const [state, update, params] = usePortalState();
  const navigate = useNavigate();
  // The commune page's periods: any range of months of the data (`?du=2018-03&au=2018-06`), by default the last 12.
  const from = params.get('du') ?? '';
  const to = params.get('au') ?? '';
  const query = new URLSearchParams({ type: state.type, ...(from && { from }), ...(to && { to }) }).toString();
  const answer = useQuery({ queryKey: ['prix-carte', query], queryFn: () => api<MapPeriodAnswer>(`/api/market/portal/map/period?${query}`), placeholderData: keepPreviousData });
  const contours = useQuery({ queryKey: ['territory-map'], queryFn: () => api<Contours>('/api/territory/map') });
  const data = answer.data;
  const epci = params.get('epci') || data?.epcis[0]?.siren || '';
  const min = data?.table.meta.secrecy_min_count ?? 11;
  // The commune page opens on the same type and, when one was chosen, the same months.
  const linkQuery = `?${new URLSearchParams({ type: state.type, ...(from && { du: from }), ...(to && { au: to }) })}`;
  const period = data?.period?.label ?? 'aucune donnée';

  const classes = useMemo<MapClass[]>(() => {
    if (!data) return [];
    return [
      { min: SECRET, max: NO_SALE, color: '#969696', label: `secret statistique (moins de ${min} ventes) ou masqué pour protéger un chiffre voisin` },
      { min: NO_SALE, max: 0, color: '#ffffff', label: 'aucune vente dans les données' },
      ...data.classes.map((c) => ({ ...c, max: c.max ?? Infinity })),
    ];
  }, [data, min]);

  const geojson = useMemo(() => {
    if (!data || !contours.data) return undefined;
    const byCode = new Map(data.table.rows.map((l) => [l.code, l]));
    const features = contours.data.features
      .filter((f) => f.properties.epci === epci)
      .map((f) => {
        const row = byCode.get(f.properties.code);
        const prix = !row ? NO_SALE : row.withheld ? (String(row.reason).startsWith('Aucune') ? NO_SALE : SECRET) : (row.price_m2_median as number);
        return { ...f, properties: { code: f.properties.code, name: f.properties.name, prix, sales_count: row?.sales_count ?? null } };
      });
    return { type: 'FeatureCollection' as const, features, bbox: bboxOf(features.map((f) => f.geometry)) };
  }, [data, contours.data, epci]);

  const describe = useCallback(
    (p: Record<string, unknown>) => {
      const prix = p.prix as number;
      if (prix === SECRET) return `${p.name} : chiffre non publié (secret statistique)`;
      if (prix === NO_SALE) return `${p.name} : aucune vente dans les données`;
      return `${p.name} : ${formatNumber(prix)} €/m² (médiane, ${TYPE_LABEL[state.type]}, ${period}, ${formatNumber(p.sales_count as number)} ventes)`;
    },
    [state.type, period],
  );
  const describeFeature = useCallback((f: SvgFeature) => describe(f.properties), [describe]);
  const valueOf = useCallback((f: SvgFeature) => f.properties.prix as number, []);
  const hrefOf = useCallback((code: string) => `/prix/communes/${code}${linkQuery}`, [linkQuery]);
  // MapLibre (zoom, 1 MB of script, WebGL) only when asked for: the SVG map answers most visits at a fraction of the cost.
  const [zoomable, setZoomable] = useState(false);
  const onSelect = useCallback((code: string) => navigate(`/prix/communes/${code}${linkQuery}`), [navigate, linkQuery]);

  const shownRows = useMemo(() => (data ? { ...data.table, rows: data.table.rows.filter((l) => l.epci_siren === epci) } : undefined), [data, epci]);
  const epciName = data?.epcis.find((e) => e.siren === epci)?.name ?? '';

  return (
    <section className="portal">
      <h1 tabIndex={-1}>Prix de l’immobilier</h1>
      <DemoNotice sources={['dvf']} />
      <p className="lead">
        Le prix au mètre carré des logements vendus dans chaque commune, calculé à partir de toutes les ventes
        enregistrées par l’administration fiscale (DVF). La médiane est le prix du milieu : la moitié des ventes s’est
        faite en dessous, la moitié au-dessus.
      </p>
      <CommuneSearch keep={linkQuery} />
      <p>
        <Link to="/prix/recherche">Chercher une rue, ou des ventes par type, pièces et budget</Link>
      </p>
      {answer.isError && <p role="alert">Les prix n’ont pas pu être chargés : {(answer.error as Error).message}</p>}
      {data && (
        <>
          <PortalControls
            state={state}
            update={update}
            years={[]}
            period={data.period && <MonthRange id="carte" months={data.months} shown={{ from: from || data.period.from, to: to || data.period.to }} onChange={(k, v) => update({ [k]: v })} />}
          />
          {data.epcis.length > 1 && (
            <div className="field inline">
              <label htmlFor="prix-epci">Intercommunalité affichée</label>
              <select id="prix-epci" value={epci} onChange={(e) => update({ epci: e.target.value })}>
                {data.epcis.map((e) => (
                  <option key={e.siren} value={e.siren}>
                    {e.name}
                  </option>
                ))}
              </select>
            </div>
          )}
          <h2>
            Prix au m² médian des {TYPE_LABEL[state.type]}, {period}
          </h2>
          {data.period ? (
            <p data-testid="carte-periode-libelle">
              Période : <strong>{period}</strong>
              {data.period.default ? ' (par défaut, les 12 derniers mois des données)' : ''}. {data.edition.label}.
            </p>
          ) : (
            <p>Aucune vente n’est encore chargée pour ce territoire.</p>
          )}
          {geojson &&
            (zoomable ? (
              <ChoroplethMap
                geojson={geojson}
                valueProperty="prix"
                classes={classes}
                label={`Carte zoomable des communes de ${epciName} colorées selon le prix au m² médian des ${TYPE_LABEL[state.type]} (${period}) ; le tableau plus bas donne les mêmes chiffres`}
                describe={describe}
                onSelect={onSelect}
              />
            ) : (
              <SvgChoropleth
                features={geojson.features}
                value={valueOf}
                classes={classes}
                label={`Carte des communes de ${epciName} colorées selon le prix au m² médian des ${TYPE_LABEL[state.type]} (${period})`}
                describe={describeFeature}
                hrefOf={hrefOf}
              />
            ))}
          {geojson && (
            <p>
              <button type="button" className="link-button" onClick={() => setZoomable(!zoomable)}>
                {zoomable ? 'Revenir à la carte simple' : 'Carte zoomable (plus lourde à charger)'}
              </button>
            </p>
          )}
          <SourceLine table={data.table} />
          <h2>Les communes en tableau</h2>
          {shownRows && (
            <DataTableView
              table={shownRows}
              caption={`Prix au m² des ${TYPE_LABEL[state.type]} par commune, ${epciName}, ${period} (€/m², nombre de ventes)`}
              columns={['name', 'sales_count', 'price_m2_median', 'price_m2_q1', 'price_m2_q3', 'price_median']}
              rowHeader="name"
              cell={(key, row) => (key === 'name' ? <Link to={`/prix/communes/${row.code}${linkQuery}`}>{row.name}</Link> : undefined)}
            />
          )}
          <Downloads href={`/api/market/portal/map/period/download?${query}`} what="le tableau de toutes les communes" />
          <p>
            Pour les applications et les partenaires : <a href="/api/docs">l’API publique documentée (OpenAPI)</a>.
          </p>
        </>
      )}
    </section>
  );
}
