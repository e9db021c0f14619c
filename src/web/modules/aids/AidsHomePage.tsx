// Entry of the aids pages: the three simulators, in plain words.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../platform/api.ts';
import type { SimulatorInfo } from '../../../modules/aids/contract.ts';
import { simulatorPage } from './form.ts';
import './aids.css';

export function AidsHomePage() {
  const simulators = useQuery({ queryKey: ['aids-simulators'], queryFn: () => api<SimulatorInfo[]>('/api/aids/simulators') });
  return (
    <section className="aids">
      <h1 tabIndex={-1}>Aides au logement</h1>
      <p>
        Répondez à quelques questions pour savoir à quelles aides votre foyer peut prétendre, pourquoi, et à qui
        vous adresser. Rien n’est enregistré.
      </p>
      {simulators.isError && <p role="alert">Les simulateurs n’ont pas pu être chargés : {(simulators.error as Error).message}</p>}
      <ul className="simulator-list">
        {simulators.data?.map((s) => (
          <li key={s.id}>
            <h2>
              <Link to={`/aides/${simulatorPage(s.id)}`}>{s.title}</Link>
            </h2>
            <p>{s.description}</p>
          </li>
        ))}
      </ul>
      <p className="source">
        Les plafonds appliqués, leurs textes officiels et les chiffres encore à vérifier : <Link to="/aides/baremes">barèmes utilisés</Link>.
      </p>
    </section>
  );
}
