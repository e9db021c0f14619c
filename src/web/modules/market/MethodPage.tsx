// How the portal's figures are made, in plain French.
import { Link } from 'react-router';
import './portal.css';

export function MethodPage() {
  return (
    <section className="portal prose">
      <p className="breadcrumb">
        <Link to="/prix">Prix de l’immobilier</Link> › Méthode
      </p>
      <h1 tabIndex={-1}>Comment les prix sont calculés</h1>
      <h2>D’où viennent les ventes</h2>
      <p>
        De DVF, les « demandes de valeurs foncières » : l’administration fiscale (DGFiP) publie chaque vente immobilière
        des cinq dernières années, commune par commune, avec son prix, sa date, la surface et le type du bien. Nous
        utilisons l’édition géolocalisée d’Etalab. Chaque chiffre indique jusqu’à quelle date vont les ventes et quand
        elles ont été chargées. Alsace-Moselle et Mayotte ne figurent pas dans DVF.
      </p>
      <h2>Quelles ventes comptent</h2>
      <ul>
        <li>Les ventes, les ventes sur plan (VEFA) et les adjudications. Les échanges, donations et expropriations ne comptent pas.</li>
        <li>
          Seulement les ventes d’<strong>un seul bien</strong> : une maison, un appartement ou un local. Une cave ou un
          garage vendu avec ne change rien. Quand plusieurs logements sont vendus ensemble, on ne peut pas savoir le prix
          de chacun : la vente est écartée.
        </li>
        <li>Une vente sans prix ou sans surface habitable est écartée, ainsi qu’un prix au-delà de 100 000 € le m² (erreur de saisie probable).</li>
      </ul>
      <h2>Les chiffres</h2>
      <ul>
        <li><strong>Prix au m²</strong> : le prix de vente divisé par la surface habitable déclarée.</li>
        <li>
          <strong>Médiane</strong> : le prix du milieu, la moitié des ventes s’est faite en dessous et la moitié au-dessus.
          Elle résiste mieux qu’une moyenne aux quelques ventes très chères ou très bon marché.
        </li>
        <li><strong>Quartiles</strong> : un quart des ventes se fait sous le premier, un quart au-dessus du troisième ; la moitié des ventes est entre les deux.</li>
        <li><strong>Maisons et appartements</strong> : les deux ensemble.</li>
        <li>
          <strong>Terrains à bâtir</strong> : les ventes sans aucun bâtiment et déclarées « terrain à bâtir » ; prix
          divisé par la surface du terrain.
        </li>
        <li>
          <strong>Cinq ans</strong> : toutes les ventes des cinq années jusqu’à l’année choisie, mises ensemble ; utile pour
          les petites communes où une seule année compte trop peu de ventes.
        </li>
        <li>
          <strong>Paris, Lyon, Marseille</strong> : la ville rassemble ses arrondissements. L’intercommunalité rassemble
          ses communes, le département toutes ses ventes chargées.
        </li>
        <li>
          <strong>Période au choix</strong> : n’importe quelle suite de mois présents dans les données (par défaut les 12
          derniers mois de l’édition chargée) ; la page dit la période et l’édition, et ne parle jamais de plus d’années
          que les données n’en contiennent.
        </li>
      </ul>
      <h2 id="precision">La précision d’une médiane</h2>
      <ul>
        <li><strong>Nombre de ventes</strong> : toujours donné à côté de la médiane ; peu de ventes, médiane fragile.</li>
        <li><strong>Écart interquartile</strong> : troisième quartile moins premier quartile, l’étendue de la moitié centrale des prix.</li>
        <li>
          <strong>Intervalle de confiance à 95 %</strong>, calculé par les <strong>statistiques d’ordre</strong> (et non par
          bootstrap) : sans hypothèse sur la forme de la répartition des prix, le nombre de ventes sous la vraie médiane
          suit une loi binomiale de paramètre ½ ; on en déduit les rangs des deux ventes qui encadrent la médiane dans 95 %
          des cas (loi binomiale exacte jusqu’à 1 000 ventes, approximation normale au-delà). Avec 11 ventes, c’est de la
          2<sup>e</sup> à la 10<sup>e</sup> ; avec 100, de la 40<sup>e</sup> à la 61<sup>e</sup>.
        </li>
        <li>
          <strong>Indice des ventes répétées</strong> (méthode de Bailey, Muth et Nourse) : un même logement vendu deux
          fois — même parcelle et même lot, ou même parcelle et même surface — donne l’évolution des prix à qualité égale
          entre deux trimestres ; toutes les paires sont combinées par moindres carrés, base 100 au premier trimestre. Le
          nombre de paires est affiché ; sous 30 paires, la page dit « trop peu de paires » au lieu d’un indice.
        </li>
        <li>
          <strong>Sections cadastrales</strong> : les 10 premiers caractères de la référence de parcelle (commune, préfixe,
          section) ; une section est placée sur la carte au centre de ses ventes.
        </li>
      </ul>
      <h2>Le secret statistique</h2>
      <p>
        Un chiffre calculé sur moins de 11 ventes n’est pas publié : avec si peu de ventes, il renseignerait sur des
        ventes particulières et ne serait pas fiable. Il apparaît comme « secret statistique », en gris sur la carte.
        Quand un total est publié (maisons et appartements, une année et ses mois, une commune et ses sections), un
        chiffre voisin est aussi masqué (« secret secondaire ») pour que le chiffre secret ne se retrouve pas par une
        soustraction. La liste des dernières ventes ne montre pas les ventes comptées dans un chiffre non publié, ne
        donne ni adresse ni numéro de parcelle, et leur position est arrondie à 100 m environ.
      </p>
      <h2>Réutiliser les chiffres</h2>
      <p>
        Chaque tableau se télécharge en CSV (les premières lignes, qui commencent par #, donnent la période, la méthode et
        la source) ou en JSON (bloc « meta »). L’API publique est décrite sur <a href="/api/docs">/api/docs</a>. Conditions
        de la DGFiP : ne pas chercher à identifier des personnes, ne pas faire indexer les ventes par les moteurs de recherche.
      </p>
      <p>
        Ce calcul suit celui des « Statistiques DVF » publiées sur data.gouv.fr, à une règle près : deux lots d’un même
        immeuble vendus ensemble ne passent pas pour un seul appartement.
      </p>
    </section>
  );
}
