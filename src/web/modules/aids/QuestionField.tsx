// One question of a simulator, with its label (or legend), help text and error linked to the field.
import type { Question } from '../../../modules/aids/contract.ts';

interface Props {
  question: Question;
  value: string;
  error?: string;
  onChange(value: string): void;
}

export function QuestionField({ question: q, value, error, onChange }: Props) {
  const id = `q-${q.id}`;
  const helpId = q.aide ? `${id}-aide` : undefined;
  const errorId = error ? `${id}-erreur` : undefined;
  const describedBy = [helpId, errorId].filter(Boolean).join(' ') || undefined;
  const optional = q.obligatoire ? '' : ' (facultatif)';
  const help = q.aide ? (
    <p id={helpId} className="help">
      {q.aide}
    </p>
  ) : null;
  const err = error ? (
    <p id={errorId} className="field-error">
      <span className="visually-hidden">Erreur : </span>
      {error}
    </p>
  ) : null;

  const radios = q.type === 'oui_non' ? [{ valeur: 'oui', libelle: 'Oui' }, { valeur: 'non', libelle: 'Non' }] : q.type === 'choix' && (q.options?.length ?? 0) <= 4 ? q.options! : null;
  if (radios) {
    return (
      <fieldset className={`field${error ? ' has-error' : ''}`} aria-describedby={describedBy}>
        <legend>
          {q.libelle}
          {optional}
        </legend>
        {help}
        {err}
        <div className={q.type === 'oui_non' ? 'radios inline' : 'radios'}>
          {radios.map((o, i) => (
            <label key={o.valeur} className="radio">
              <input
                type="radio"
                name={q.id}
                // The first radio carries the id so the error summary's link lands on the group.
                id={i === 0 ? id : `${id}-${o.valeur}`}
                value={o.valeur}
                checked={value === o.valeur}
                onChange={() => onChange(o.valeur)}
                aria-invalid={error ? true : undefined}
              />
              {o.libelle}
            </label>
          ))}
        </div>
      </fieldset>
    );
  }

  if (q.type === 'choix' || q.type === 'commune') {
    return (
      <div className={`field${error ? ' has-error' : ''}`}>
        <label htmlFor={id}>
          {q.libelle}
          {optional}
        </label>
        {help}
        {err}
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={describedBy} aria-invalid={error ? true : undefined} required={q.obligatoire}>
          <option value="">— Choisir —</option>
          {q.options!.map((o) => (
            <option key={o.valeur} value={o.valeur}>
              {o.libelle}
            </option>
          ))}
        </select>
      </div>
    );
  }

  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>
        {q.libelle}
        {q.unite ? ` (en ${q.unite === '€' ? 'euros' : q.unite})` : ''}
        {optional}
      </label>
      {help}
      {err}
      <div className="with-unit">
        <input
          id={id}
          type="text"
          inputMode={q.id === 'personnes' ? 'numeric' : 'decimal'}
          autoComplete="off"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          required={q.obligatoire}
          size={q.unite === '€' ? 12 : 4}
        />
        {q.unite && <span aria-hidden="true">{q.unite}</span>}
      </div>
    </div>
  );
}
