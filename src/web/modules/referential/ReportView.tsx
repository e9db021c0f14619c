// A validation report as a partner reads it: the verdict, the counts, then each problem with how to fix it.
import { formatNumber } from '../../platform/api.ts';
import type { Problem, Report } from '../../../modules/referential/contract.ts';
import { STATUS_LABELS } from './labels.ts';
import { TableWrap } from '../../platform/TableWrap.tsx';

export function ReportView({ report }: { report: Report }) {
  const s = report.summary;
  const lineWord = report.file?.format === 'json' ? 'Enregistrement' : 'Ligne';
  return (
    <section aria-labelledby="rapport-titre">
      <h2 id="rapport-titre">Rapport de validation</h2>
      <p>
        <span className={`ref-status ref-status-${report.status}`}>{STATUS_LABELS[report.status]}</span>{' '}
        <span className="ref-verdict" role="status">
          {report.verdict}
        </span>
      </p>
      <dl className="key-figures">
        <div>
          <dt>Lignes reçues</dt>
          <dd>{formatNumber(s.rows_total)}</dd>
        </div>
        <div>
          <dt>Lignes valides</dt>
          <dd>{formatNumber(s.rows_valid)}</dd>
        </div>
        <div>
          <dt>Lignes enregistrées</dt>
          <dd>{formatNumber(s.rows_accepted)}</dd>
        </div>
        <div>
          <dt>Erreurs / avertissements</dt>
          <dd>
            {formatNumber(s.errors)} / {formatNumber(s.warnings)}
          </dd>
        </div>
      </dl>
      <p className="ref-meta">
        Schéma {report.schema.title} {report.schema.version}
        {report.file ? ` — fichier ${report.file.format.toUpperCase()}${report.file.encoding ? `, encodage ${report.file.encoding}` : ''}${report.file.delimiter ? `, séparateur « ${report.file.delimiter} »` : ''}` : ''}
      </p>
      {report.header.length > 0 && <ProblemTable caption="Problèmes d’en-tête ou de fichier" problems={report.header} lineWord={lineWord} />}
      {report.problems.length > 0 && (
        <ProblemTable
          caption={report.truncated ? `Problèmes des lignes (les ${report.problems.length} premiers ; les totaux ci-dessus sont complets)` : 'Problèmes des lignes'}
          problems={report.problems}
          lineWord={lineWord}
        />
      )}
      {report.header.length === 0 && report.problems.length === 0 && <p>Aucun problème : le fichier respecte le schéma.</p>}
    </section>
  );
}

function ProblemTable({ caption, problems, lineWord }: { caption: string; problems: Problem[]; lineWord: string }) {
  return (
    <TableWrap>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{lineWord}</th>
            <th scope="col">Colonne</th>
            <th scope="col">Règle</th>
            <th scope="col">Valeur</th>
            <th scope="col">Problème</th>
            <th scope="col">Comment corriger</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((p, i) => (
            <tr key={i}>
              <td className="num">{p.line || '—'}</td>
              <td className="ref-code">{p.column ?? '—'}</td>
              <td>
                {p.rule}
                {p.severity === 'avertissement' ? ' (avertissement)' : ''}
              </td>
              <td className="ref-code">{p.value ?? ''}</td>
              <td>{p.message}</td>
              <td>{p.fix}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
