// Agents: import a CSV extract of demands (SNE fields). All or nothing: the problems are listed, nothing is written.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { ImportAnswer } from '../../../modules/demand/contract.ts';
import { formatProblem, type InputProblem } from '../../../platform/errors.ts';
import { ApiError } from '../../platform/api.ts';

export function ImportForm() {
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const m = useMutation({
    mutationFn: async () => {
      if (!file) throw new Error('Choisissez un fichier.');
      const res = await fetch(`/api/demand/import?name=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', accept: 'application/json' },
        body: await file.arrayBuffer(),
        credentials: 'same-origin',
      });
      const body = await res.json();
      if (!res.ok) {
        // A refused file carries every problem (details.problems): all of them are listed, not only the first.
        const problems: InputProblem[] = body?.details?.problems ?? [];
        const listed = problems.slice(0, 50).map(formatProblem);
        throw new ApiError(res.status, [body?.detail ?? `Erreur ${res.status}`, ...listed].join('\n'), body);
      }
      return body as ImportAnswer;
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['demand'] }),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    m.mutate();
  }
  return (
    <form onSubmit={submit} className="narrow">
      <h2>Importer un fichier de demandes</h2>
      <p>
        Fichier CSV séparé par des points-virgules, aux champs usuels d’un extrait du SNE (voir la documentation du module). Si une seule ligne est
        fausse, rien n’est importé et chaque problème est indiqué avec sa ligne et sa colonne.
      </p>
      <div className="field">
        <label htmlFor="import-file">Fichier CSV</label>
        <input id="import-file" type="file" accept=".csv,text/csv" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </div>
      <button type="submit" disabled={m.isPending}>
        Importer
      </button>
      {m.error && (
        <pre className="error" role="alert" style={{ whiteSpace: 'pre-wrap' }}>
          {(m.error as Error).message}
        </pre>
      )}
      {m.data && (
        <p role="status">
          {m.data.created} demande(s) créée(s), {m.data.updated} modifiée(s), {m.data.unchanged} inchangée(s). Les notes sont recalculées.
        </p>
      )}
    </form>
  );
}
