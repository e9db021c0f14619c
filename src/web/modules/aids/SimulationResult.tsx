// The explained answer: for each aid the verdict in words, each condition with its figures, and which
// figures are not verified against an official text.
import type { Ref } from 'react';
import type { AidAnswer, Condition, SimulationAnswer } from '../../../modules/aids/contract.ts';
import { isVerified } from './form.ts';

const VERDICT: Record<AidAnswer['verdict'], string> = {
  eligible: 'Éligible',
  not_eligible: 'Non éligible',
  unknown: 'Impossible de conclure',
};
const STATUS: Record<Condition['status'], { mark: string; words: string }> = {
  met: { mark: '✓', words: 'Condition remplie' },
  not_met: { mark: '✗', words: 'Condition non remplie' },
  unknown: { mark: '?', words: 'Condition non vérifiable' },
};

export function SimulationResult({ answer, headingRef }: { answer: SimulationAnswer; headingRef?: Ref<HTMLHeadingElement> }) {
  return (
    <section className="aids-result" aria-labelledby="resultat-titre">
      <h2 id="resultat-titre" tabIndex={-1} ref={headingRef}>
        Résultat
      </h2>
      <ul className="context">
        {answer.context.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      {answer.aids.map((aid) => (
        <AidCard key={aid.id} aid={aid} />
      ))}
      {answer.warnings.length > 0 && (
        <div className="warnings">
          <h3>À savoir</h3>
          <ul>
            {answer.warnings.map((w) => (
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
        {aid.name} : <span className="verdict">{aid.verdict_label ?? VERDICT[aid.verdict]}</span>
      </h3>
      <p>{aid.summary}</p>
      <h4>Conditions vérifiées</h4>
      <ul className="conditions">
        {aid.conditions.map((c) => (
          <li key={c.id} className={`condition status-${c.status}`}>
            <span className="mark" aria-hidden="true">
              {STATUS[c.status].mark}
            </span>
            <span className="visually-hidden">{STATUS[c.status].words} : </span>
            {c.text}
            {c.table?.verification === 'computed' && <span className="computed">{c.table.note}</span>}
            {c.table && !isVerified(c.table.verification) && (
              <details className="unverified">
                <summary>Chiffre non vérifié</summary>
                <p>
                  {c.table.verification_label}. {c.table.note}
                </p>
              </details>
            )}
            {c.table && (
              <span className="source">
                Source :{' '}
                {c.table.sources.slice(0, 2).map((s, i) => (
                  <span key={s.title}>
                    {i > 0 && ' ; '}
                    {s.url ? <a href={s.url}>{s.title}</a> : s.title}
                  </span>
                ))}
              </span>
            )}
          </li>
        ))}
      </ul>
      {aid.notes.length > 0 && (
        <ul className="infos">
          {aid.notes.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      )}
      {aid.source && <p className="source">Décision : {aid.source}</p>}
      {aid.contact && (
        <p className="contact">
          <strong>Contact : {aid.contact.name}.</strong> {aid.contact.text}{' '}
          {aid.contact.url && <a href={aid.contact.url}>{aid.contact.url.replace(/^https:\/\/(www\.)?/, '').replace(/\/$/, '')}</a>}
        </p>
      )}
    </article>
  );
}
