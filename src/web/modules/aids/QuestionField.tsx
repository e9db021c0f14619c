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
  const helpId = q.help ? `${id}-aide` : undefined;
  const errorId = error ? `${id}-erreur` : undefined;
  const describedBy = [helpId, errorId].filter(Boolean).join(' ') || undefined;
  const optional = q.required ? '' : ' (facultatif)';
  const help = q.help ? (
    <p id={helpId} className="help">
      {q.help}
    </p>
  ) : null;
  const err = error ? (
    <p id={errorId} className="field-error">
      <span className="visually-hidden">Erreur : </span>
      {error}
    </p>
  ) : null;

  const radios = q.type === 'yes_no' ? [{ value: 'oui', label: 'Oui' }, { value: 'non', label: 'Non' }] : q.type === 'choice' && (q.options?.length ?? 0) <= 4 ? q.options! : null;
  if (radios) {
    return (
      <fieldset className={`field${error ? ' has-error' : ''}`} aria-describedby={describedBy}>
        <legend>
          {q.label}
          {optional}
        </legend>
        {help}
        {err}
        <div className={q.type === 'yes_no' ? 'radios inline' : 'radios'}>
          {radios.map((o, i) => (
            <label key={o.value} className="radio">
              <input
                type="radio"
                name={q.id}
                // The first radio carries the id so the error summary's link lands on the group.
                id={i === 0 ? id : `${id}-${o.value}`}
                value={o.value}
                checked={value === o.value}
                onChange={() => onChange(o.value)}
                aria-invalid={error ? true : undefined}
              />
              {o.label}
            </label>
          ))}
        </div>
      </fieldset>
    );
  }

  if (q.type === 'choice' || q.type === 'commune') {
    return (
      <div className={`field${error ? ' has-error' : ''}`}>
        <label htmlFor={id}>
          {q.label}
          {optional}
        </label>
        {help}
        {err}
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={describedBy} aria-invalid={error ? true : undefined} required={q.required}>
          <option value="">— Choisir —</option>
          {q.options!.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
    );
  }

  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>
        {q.label}
        {q.unit ? ` (en ${q.unit === '€' ? 'euros' : q.unit})` : ''}
        {optional}
      </label>
      {help}
      {err}
      <div className="with-unit">
        <input
          id={id}
          type="text"
          inputMode={q.id === 'persons' ? 'numeric' : 'decimal'}
          autoComplete="off"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          required={q.required}
          size={q.unit === '€' ? 12 : 4}
        />
        {q.unit && <span aria-hidden="true">{q.unit}</span>}
      </div>
    </div>
  );
}
