// One simulator: a few questions, then the answer with each condition and the figure it was checked against.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../../platform/api.ts';
import { checkAnswers, isVisible, simulatorPage, type Answers } from './form.ts';
import { QuestionField } from './QuestionField.tsx';
import { SimulationResult } from './SimulationResult.tsx';
import type { SimulationAnswer, SimulatorInfo } from '../../../modules/aids/contract.ts';
import './aids.css';

export function SimulatorPage() {
  const { simulateur: page } = useParams();
  const simulators = useQuery({ queryKey: ['aids-simulators'], queryFn: () => api<SimulatorInfo[]>('/api/aids/simulators') });
  const sim = simulators.data?.find((s) => simulatorPage(s.id) === page);
  const [answers, setAnswers] = useState<Answers>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<SimulationAnswer | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const resultRef = useRef<HTMLHeadingElement>(null);
  const [focusTarget, setFocusTarget] = useState<'summary' | 'result' | null>(null);

  useEffect(() => {
    // Focus moves to what changed: the error summary, or the answer's heading, so keyboard and screen-reader
    // users land on it.
    if (focusTarget === 'summary') summaryRef.current?.focus();
    if (focusTarget === 'result') resultRef.current?.focus();
    setFocusTarget(null);
  }, [focusTarget]);

  useEffect(() => {
    setAnswers({});
    setErrors({});
    setResult(null);
  }, [page]);

  if (simulators.isError) return <p role="alert">Les simulateurs n’ont pas pu être chargés : {(simulators.error as Error).message}</p>;
  if (simulators.isLoading) return <p>Chargement…</p>;
  if (!sim) {
    return (
      <section>
        <h1 tabIndex={-1}>Simulateur introuvable</h1>
        <p>
          <Link to="/aides">Voir les simulateurs d’aides</Link>
        </p>
      </section>
    );
  }
  const visible = sim.questions.filter((q) => isVisible(q, answers));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const checked = checkAnswers(sim!.questions, answers);
    setErrors(checked.errors);
    setFailure(null);
    if (Object.keys(checked.errors).length) {
      setResult(null);
      setFocusTarget('summary');
      return;
    }
    setBusy(true);
    try {
      const answer = await api<SimulationAnswer>(`/api/aids/simulate/${sim!.id}`, { method: 'POST', body: JSON.stringify(checked.body) });
      setResult(answer);
      setFocusTarget('result');
    } catch (err) {
      const fieldErrors: Record<string, string> = {};
      if (err instanceof ApiError) {
        for (const x of err.problem?.errors ?? []) {
          const id = x.field.split('.').pop()!;
          if (sim!.questions.some((q) => q.id === id)) fieldErrors[id] = x.message;
        }
      }
      setErrors(fieldErrors);
      setFailure((err as Error).message);
      setResult(null);
      setFocusTarget('summary');
    } finally {
      setBusy(false);
    }
  }

  const errorList = visible.filter((q) => errors[q.id]);
  return (
    <section className="aids">
      <p className="breadcrumb">
        <Link to="/aides">Aides au logement</Link> › {sim.title}
      </p>
      <h1 tabIndex={-1}>{sim.title}</h1>
      <p>{sim.description}</p>
      <p className="hint">Aucune réponse n’est enregistrée. Les questions marquées « facultatif » peuvent rester vides.</p>

      {(errorList.length > 0 || failure) && (
        <div className="error-summary" role="alert" tabIndex={-1} ref={summaryRef} aria-labelledby="error-summary-title">
          <h2 id="error-summary-title">Vérifiez vos réponses</h2>
          {failure && errorList.length === 0 && <p>{failure}</p>}
          <ul>
            {errorList.map((q) => (
              <li key={q.id}>
                <a href={`#q-${q.id}`}>
                  {q.label} : {errors[q.id]}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}

      <form onSubmit={submit} noValidate className="aids-form">
        {visible.map((q) => (
          <QuestionField
            key={q.id}
            question={q}
            value={answers[q.id] ?? ''}
            error={errors[q.id]}
            onChange={(v) => setAnswers((a) => ({ ...a, [q.id]: v }))}
          />
        ))}
        <button type="submit" disabled={busy}>
          {busy ? 'Calcul…' : 'Voir les aides possibles'}
        </button>
      </form>

      {result && <SimulationResult answer={result} headingRef={resultRef} />}
      <p className="source">
        Les plafonds et leurs sources : <Link to="/aides/baremes">barèmes utilisés</Link>.
      </p>
    </section>
  );
}
