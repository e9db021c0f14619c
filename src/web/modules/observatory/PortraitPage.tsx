// The portrait of a commune (/territoire/communes/:code) or an EPCI (/territoire/epci/:siren): every source in one
// page, six sections in a fixed order, each figure with unit, source and edition date or « pas de donnée » and why;
// each section links to the module page that details it; then the comparable communes, the comparisons (map and
// ranking), and the printable sheet (PDF, DOCX).
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import type { PortraitAnswer } from '../../../modules/observatory/contract.ts';
import { api, ApiError, formatNumber } from '../../platform/api.ts';
import { DemoNotice } from '../../platform/DemoNotice.tsx';
import { Comparison, portraitPath } from './Comparison.tsx';
import { FigureList } from './Figures.tsx';
import { formatValue, NO_DATA_LABEL } from './format.ts';
import { type CompareSeries, SeriesView } from './SeriesView.tsx';
import './observatory.css';
import { TableWrap } from '../../platform/TableWrap.tsx';

export function PortraitPage({ level }: { level: 'commune' | 'epci' }) {
  const params = useParams();
  const id = (level === 'commune' ? params.code : params.siren) ?? '';
  const url = level === 'commune' ? `/api/territory/communes/${encodeURIComponent(id)}/portrait` : `/api/territory/epci/${encodeURIComponent(id)}/portrait`;
  const q = useQuery({ queryKey: ['portrait', level, id], queryFn: () => api<PortraitAnswer>(url), retry: false });
  // A commune's trend charts carry its EPCI's series too (the EPCI's portrait, shared with the home page's cache).
  const epciSiren = level === 'commune' ? q.data?.epci?.siren : undefined;
  const epciQ = useQuery({ queryKey: ['portrait', 'epci', epciSiren], queryFn: () => api<PortraitAnswer>(`/api/territory/epci/${epciSiren}/portrait`), enabled: !!epciSiren });
  const what = level === 'commune' ? 'la commune' : 'l’intercommunalité';
  if (q.isLoading)
    return (
      <section className="portrait">
        {/* The same first lines as the loaded page (breadcrumb, then the title): the title does not jump when it loads. */}
        <nav aria-label="Fil d’Ariane" className="breadcrumb">
          <Link to="/">Accueil</Link>
        </nav>
        <h1 tabIndex={-1}>Portrait de {what}</h1>
        <p>Chargement du portrait…</p>
      </section>
    );
  if (q.isError || !q.data) {
    const e = q.error as Error;
    return (
      <section className="portrait">
        <h1 tabIndex={-1}>Portrait de {what}</h1>
        <p role="alert">{e instanceof ApiError && e.status === 404 ? `Aucune ${level === 'commune' ? 'commune' : 'intercommunalité'} « ${id} » dans ce territoire.` : `Le portrait n’a pas pu être chargé : ${e?.message}`}</p>
        <p>
          <Link to="/">Revenir à l’accueil</Link>
        </p>
      </section>
    );
  }
  const d = q.data;
  const population = d.sections[0]?.figures.find((f) => f.key === 'population');
  const compareOf = (section: string, key: string): CompareSeries | undefined => {
    const other = epciQ.data?.sections.find((x) => x.key === section)?.series.find((x) => x.key === key);
    return other && epciQ.data ? { place: d.name, epci: epciQ.data.name, series: other } : undefined;
  };
  return (
    <section className="portrait">
      <nav aria-label="Fil d’Ariane" className="breadcrumb">
        <Link to="/">Accueil</Link> › {d.epci && <><Link to={`/territoire/epci/${d.epci.siren}`}>{d.epci.name}</Link> › </>}
        {d.name}
      </nav>
      <h1 tabIndex={-1}>
        {d.name}
        <span className="subtitle">
          {level === 'commune' ? `Commune · ${d.epci?.name ?? 'hors EPCI'} · code INSEE ${d.code}` : `Intercommunalité · ${d.communes.length} communes · SIREN ${d.code}`}
          {population?.status === 'ok' ? ` · ${formatValue(population.value, population.unit)} (${population.period ?? 'recensement'})` : ''}
        </span>
      </h1>
      <DemoNotice sources={['dvf', 'sitadel', 'rpls', 'dpe']} />
      <p className="downloads">
        Fiche {level === 'commune' ? 'commune' : 'intercommunale'} à imprimer :{' '}
        <a href={d.sheet.pdf} download>
          PDF<span className="visually-hidden"> — fiche de {d.name}</span>
        </a>{' '}
        ·{' '}
        <a href={d.sheet.docx} download>
          DOCX (Word)<span className="visually-hidden"> — fiche de {d.name}</span>
        </a>
      </p>
      <nav aria-label="Sur cette page" className="toc">
        <ul>
          {d.sections.map((s) => (
            <li key={s.key}>
              <a href={`#${s.key}`}>{s.title}</a>
            </li>
          ))}
          {level === 'commune' && (
            <li>
              <a href="#comparables">Communes comparables</a>
            </li>
          )}
          <li>
            <a href="#comparer">Comparer</a>
          </li>
        </ul>
      </nav>
      {d.sections.map((s, i) => (
        <section key={s.key} id={s.key} aria-labelledby={`${s.key}-titre`} className="portrait-section" data-section={s.key}>
          <h2 id={`${s.key}-titre`}>
            {i + 1}. {s.title}
          </h2>
          <FigureList figures={s.figures} />
          {s.method && (
            <p className="method">
              <strong>Méthode :</strong> {s.method}
            </p>
          )}
          {s.series.map((x) => (
            <SeriesView key={x.key} series={x} compare={compareOf(s.key, x.key)} />
          ))}
          <p className="module-link">
            <Link to={s.module_path}>
              Le détail : {s.title.toLowerCase()}
              <span className="visually-hidden"> ({d.name})</span> →
            </Link>
          </p>
        </section>
      ))}
      {level === 'commune' && (
        <section id="comparables" aria-labelledby="comparables-titre">
          <h2 id="comparables-titre">Communes comparables</h2>
          {d.comparables.status === 'ok' ? (
            <>
              <p className="method">
                <strong>Méthode :</strong> {d.comparables.method}
              </p>
              <TableWrap>
                <table>
                  <caption>Les {d.comparables.communes.length} communes du territoire les plus proches de {d.name} (population, revenu, prix)</caption>
                  <thead>
                    <tr>
                      <th scope="col">Commune</th>
                      <th scope="col" className="num">Population (habitants)</th>
                      <th scope="col" className="num">Revenu médian (€/an par unité de consommation)</th>
                      <th scope="col" className="num">Prix médian (€/m²)</th>
                      <th scope="col" className="num">Distance (0 = identique)</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.comparables.communes.map((c) => (
                      <tr key={c.code}>
                        <th scope="row">
                          <Link to={portraitPath(c.code)}>{c.name}</Link>
                        </th>
                        <td className="num">{formatNumber(c.population)}</td>
                        <td className="num">{formatNumber(c.median_income)}</td>
                        <td className="num">{c.price_m2 === null ? 'pas de donnée' : formatNumber(c.price_m2)}</td>
                        <td className="num">{formatNumber(c.distance, 2)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            </>
          ) : (
            <p>
              Pas de donnée ({NO_DATA_LABEL[d.comparables.reason]}) : {d.comparables.message}
            </p>
          )}
        </section>
      )}
      <section id="comparer" aria-labelledby="comparer-titre">
        <h2 id="comparer-titre">Comparer avec les autres communes</h2>
        <Comparison epci={d.epci?.siren ?? (level === 'epci' ? d.code : null)} highlight={level === 'commune' ? d.code : undefined} headingId="comparer" />
      </section>
    </section>
  );
}
