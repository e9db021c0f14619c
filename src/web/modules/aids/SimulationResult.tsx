// The explained answer: for each aid the verdict in words, each condition with its figures, and which
// figures are not verified against an official text.
import type { Ref } from 'react';
import type { AidAnswer, Condition, SimulationAnswer } from '../../../modules/aids/contract.ts';
import { isVerified } from './form.ts';

const VERDICT: Record<AidAnswer['verdict'], string> = {
  eligible: 'Éligible',
  non_eligible: 'Non éligible',
  inconnu: 'Impossible de conclure',
};
const STATUS: Record<Condition['statut'], { mark: string; words: string }> = {
  remplie: { mark: '✓', words: 'Condition remplie' },
  non_remplie: { mark: '✗', words: 'Condition non remplie' },
  inconnue: { mark: '?', words: 'Condition non vérifiable' },
};

export function SimulationResult({ answer, headingRef }: { answer: SimulationAnswer; headingRef?: Ref<HTMLHeadingElement> }) {
  return (
    <section className="aids-result" aria-labelledby="resultat-titre">
      <h2 id="resultat-titre" tabIndex={-1} ref={headingRef}>
        Résultat
      </h2>
      <ul className="context">
        {answer.contexte.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      {answer.aides.map((aid) => (
        <AidCard key={aid.id} aid={aid} />
      ))}
      {answer.avertissements.length > 0 && (
        <div className="warnings">
          <h3>À savoir</h3>
          <ul>
            {answer.avertissements.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function AidCard({ aid }: { aid: AidAnswer }) {
  const titleId = `aide-${aid.id}`;
  return (
    <article className={`aid-card verdict-${aid.verdict}`} aria-labelledby={titleId}>
      <h3 id={titleId}>
        {aid.nom} : <span className="verdict">{aid.libelle_verdict ?? VERDICT[aid.verdict]}</span>
      </h3>
      <p>{aid.resume}</p>
      <h4>Conditions vérifiées</h4>
      <ul className="conditions">
        {aid.conditions.map((c) => (
          <li key={c.id} className={`condition status-${c.statut}`}>
            <span className="mark" aria-hidden="true">
              {STATUS[c.statut].mark}
            </span>
            <span className="visually-hidden">{STATUS[c.statut].words} : </span>
            {c.texte}
            {c.table?.verification === 'calcule' && <span className="computed">{c.table.note}</span>}
            {c.table && !isVerified(c.table.verification) && (
              <details className="unverified">
                <summary>Chiffre non vérifié</summary>
                <p>
                  {c.table.verification_libelle}. {c.table.note}
                </p>
              </details>
            )}
            {c.table && (
              <span className="source">
                Source :{' '}
                {c.table.sources.slice(0, 2).map((s, i) => (
                  <span key={s.titre}>
                    {i > 0 && ' ; '}
                    {s.url ? <a href={s.url}>{s.titre}</a> : s.titre}
                  </span>
                ))}
              </span>
            )}
          </li>
        ))}
      </ul>
      {aid.informations.length > 0 && (
        <ul className="infos">
          {aid.informations.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      )}
      {aid.source && <p className="source">Décision : {aid.source}</p>}
      {aid.contact && (
        <p className="contact">
          <strong>Contact : {aid.contact.nom}.</strong> {aid.contact.texte}{' '}
          {aid.contact.url && <a href={aid.contact.url}>{aid.contact.url.replace(/^https:\/\/(www\.)?/, '').replace(/\/$/, '')}</a>}
        </p>
      )}
    </article>
  );
}
