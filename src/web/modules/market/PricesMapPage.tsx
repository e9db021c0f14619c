// « Prix de l’immobilier »: the territory's communes coloured by median price per m², the same figures in a table
// (keyboard and screen-reader users open each commune's page from it), search, and downloads.
import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { bboxOf } from '../../../modules/territory/model.ts';
import { api, formatNumber } from '../../platform/api.ts';
import { ChoroplethMap, type MapClass } from '../../platform/ChoroplethMap.tsx';
import { CommuneSearch } from './CommuneSearch.tsx';
import { PortalControls, portalQuery, usePortalState } from './Controls.tsx';
import { DataTableView, Downloads, SourceLine } from './DataTableView.tsx';
import { SvgChoropleth, type SvgFeature } from './SvgChoropleth.tsx';
import { TYPE_LABEL, type MapAnswer } from './types.ts';
import './portal.css';

// Withheld and empty communes get their own grey, below every price class (see ChoroplethMap's step expression).
const SECRET = -2;
const NO_SALE = -1;

export function PricesMapPage() {
  const [state, update, params] = usePortalState();
  const navigate = useNavigate();
  const query = portalQuery(state, state.annee);
  const answer = useQuery({ queryKey: ['prix-carte', query], queryFn: () => api<MapAnswer>(`/api/market/portail/carte?${query}`) });
  const contours = useQuery({ queryKey: ['territory-map'], queryFn: () => api<any>('/api/territory/map') });
  const data = answer.data;
  const epci = params.get('epci') || data?.epcis[0]?.siren || '';
  const seuil = data?.tableau.meta.seuil_secret ?? 11;
  const linkQuery = data ? `?${portalQuery(state, data.annee)}` : '';

  const classes = useMemo<MapClass[]>(() => {
    if (!data) return [];
    return [
      { min: SECRET, max: NO_SALE, color: '#969696', label: `secret statistique (moins de ${seuil} ventes) ou masqué pour protéger un chiffre voisin` },
      { min: NO_SALE, max: 0, color: '#ffffff', label: 'aucune vente dans les données' },
      ...data.classes.map((c) => ({ ...c, max: c.max ?? Infinity })),
    ];
  }, [data, seuil]);

  const geojson = useMemo(() => {
    if (!data || !contours.data) return undefined;
    const byCode = new Map(data.tableau.lignes.map((l) => [l.code as string, l]));
    const features = contours.data.features
      .filter((f: any) => f.properties.epci === epci)
      .map((f: any) => {
        const row = byCode.get(f.properties.code);
        const prix = !row ? NO_SALE : row.secret ? (String(row.raison).startsWith('Aucune') ? NO_SALE : SECRET) : (row.prix_m2_median as number);
        return { ...f, properties: { code: f.properties.code, nom: f.properties.nom, prix, nb_ventes: row?.nb_ventes ?? null } };
      });
    return { type: 'FeatureCollection' as const, features, bbox: bboxOf(features.map((f: any) => f.geometry)) };
  }, [data, contours.data, epci]);

  const describe = useCallback(
    (p: Record<string, unknown>) => {
      const prix = p.prix as number;
      if (prix === SECRET) return `${p.nom} : chiffre non publié (secret statistique)`;
      if (prix === NO_SALE) return `${p.nom} : aucune vente dans les données`;
      return `${p.nom} : ${formatNumber(prix)} €/m² (médiane, ${TYPE_LABEL[state.type]}, ${data?.periode}, ${formatNumber(p.nb_ventes as number)} ventes)`;
    },
    [seuil, state.type, data?.periode],
  );
  const describeFeature = useCallback((f: SvgFeature) => describe(f.properties), [describe]);
  const valueOf = useCallback((f: SvgFeature) => f.properties.prix as number, []);
  const hrefOf = useCallback((code: string) => `/prix/communes/${code}${linkQuery}`, [linkQuery]);
  // MapLibre (zoom, 1 MB of script, WebGL) only when asked for: the SVG map answers most visits at a fraction of the cost.
  const [zoomable, setZoomable] = useState(false);
  const onSelect = useCallback((code: string) => navigate(`/prix/communes/${code}${linkQuery}`), [navigate, linkQuery]);

  const shownRows = useMemo(() => (data ? { ...data.tableau, lignes: data.tableau.lignes.filter((l) => l.epci_siren === epci) } : undefined), [data, epci]);
  const epciName = data?.epcis.find((e) => e.siren === epci)?.nom ?? '';

  return (
    <section className="portal">
      <h1 tabIndex={-1}>Prix de l’immobilier</h1>
      <p className="lead">
        Le prix au mètre carré des logements vendus dans chaque commune, calculé à partir de toutes les ventes
        enregistrées par l’administration fiscale (DVF). La médiane est le prix du milieu : la moitié des ventes s’est
        faite en dessous, la moitié au-dessus.
      </p>
      <CommuneSearch keep={linkQuery} />
      {answer.isError && <p role="alert">Les prix n’ont pas pu être chargés : {(answer.error as Error).message}</p>}
      {data && (
        <>
          <PortalControls state={{ ...state, annee: data.annee ?? undefined }} update={update} annees={data.annees} />
          {data.epcis.length > 1 && (
            <div className="field inline">
              <label htmlFor="prix-epci">Intercommunalité affichée</label>
              <select id="prix-epci" value={epci} onChange={(e) => update({ epci: e.target.value })}>
                {data.epcis.map((e) => (
                  <option key={e.siren} value={e.siren}>
                    {e.nom}
                  </option>
                ))}
              </select>
            </div>
          )}
          <h2>
            Prix au m² médian des {TYPE_LABEL[state.type]}, {data.periode}
          </h2>
          {data.annee === null && <p>Aucune vente n’est encore chargée pour ce territoire.</p>}
          {geojson &&
            (zoomable ? (
              <ChoroplethMap
                geojson={geojson}
                valueProperty="prix"
                classes={classes}
                label={`Carte zoomable des communes de ${epciName} colorées selon le prix au m² médian des ${TYPE_LABEL[state.type]} (${data.periode}) ; le tableau plus bas donne les mêmes chiffres`}
                describe={describe}
                onSelect={onSelect}
              />
            ) : (
              <SvgChoropleth
                features={geojson.features}
                value={valueOf}
                classes={classes}
                label={`Carte des communes de ${epciName} colorées selon le prix au m² médian des ${TYPE_LABEL[state.type]} (${data.periode})`}
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
          <SourceLine table={data.tableau} />
          <h2>Les communes en tableau</h2>
          {shownRows && (
            <DataTableView
              table={shownRows}
              caption={`Prix au m² des ${TYPE_LABEL[state.type]} par commune, ${epciName}, ${data.periode} (€/m², nombre de ventes)`}
              columns={['nom', 'nb_ventes', 'prix_m2_median', 'prix_m2_q1', 'prix_m2_q3', 'prix_median']}
              rowHeader="nom"
              cell={(key, row) => (key === 'nom' ? <Link to={`/prix/communes/${row.code}${linkQuery}`}>{row.nom}</Link> : undefined)}
            />
          )}
          <Downloads href={`/api/market/portail/carte/telechargement?${portalQuery(state, data.annee)}`} what="le tableau de toutes les communes" />
          <p>
            Pour les applications et les partenaires : <a href="/api/docs">l’API publique documentée (OpenAPI)</a>.
          </p>
        </>
      )}
    </section>
  );
}
