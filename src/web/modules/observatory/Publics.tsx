// The three doors of the home page: households, élus and agents, partners; each lists what it comes for.
import { Link } from 'react-router';

export function Publics({ siren }: { siren: string }) {
  return (
    <div className="publics">
      <section aria-labelledby="public-menages">
        <h3 id="public-menages">Ménages</h3>
        <ul>
          <li><Link to="/aides">Ai-je droit à une aide au logement ?</Link></li>
          <li><Link to="/prix">Les prix de l’immobilier par commune</Link></li>
          <li><Link to="/cotation">Ma demande de logement social : la cotation</Link></li>
        </ul>
      </section>
      <section aria-labelledby="public-elus">
        <h3 id="public-elus">Élus et agents</h3>
        <ul>
          <li><Link to={`/territoire/epci/${siren}`}>Le portrait de l’intercommunalité</Link></li>
          <li><Link to="/plh/sru">Les communes SRU</Link></li>
          <li><Link to="/construction-neuve">La construction neuve par commune</Link></li>
          <li><Link to="/connexion">L’espace des agents</Link></li>
        </ul>
      </section>
      <section aria-labelledby="public-partenaires">
        <h3 id="public-partenaires">Partenaires</h3>
        <ul>
          <li><Link to="/referentiel">Le référentiel des données à livrer</Link></li>
          <li><Link to="/sources">Les sources et leur couverture</Link></li>
          <li><a href="/api/docs">L’API ouverte et sa documentation</a></li>
        </ul>
      </section>
    </div>
  );
}
