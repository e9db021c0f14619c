// The indicators of the portrait that the comparisons can rank and map: key, French label, unit, source, section.
// Pure data: the portrait (service.ts) computes each of them, the comparisons pick one by its key.
import type { IndicatorDefinition } from './contract.ts';

export const SOURCE_INSEE = 'Insee, comparateur de territoires (recensement, Filosofi)';
const SOURCE_DVF = 'DVF (demandes de valeurs foncières), DGFiP';
export const SOURCE_SITADEL = 'Sitadel (permis de construire), SDES';
export const SOURCE_PLH = 'Objectifs du PLH (saisis dans Habitat Commun)';
const SOURCE_RPLS = 'RPLS (répertoire des logements locatifs des bailleurs sociaux), SDES';
export const SOURCE_SRU = 'Inventaire SRU (préfecture), saisi dans Habitat Commun';
export const SOURCE_SNE = 'Demandes et attributions de logement social (SNE)';

const def = (key: string, section: IndicatorDefinition['section'], label: string, unit: string, source: string, description: string | null = null): IndicatorDefinition => ({
  key,
  section,
  label,
  unit,
  source,
  description,
});

/** In the order of the portrait's sections. */
export const INDICATORS: readonly IndicatorDefinition[] = [
  def('population', 'population', 'Population', 'habitants', SOURCE_INSEE),
  def('population_change', 'population', 'Évolution de la population depuis 2016', '%', SOURCE_INSEE, 'Population 2022 rapportée à celle de 2016.'),
  def('households', 'population', 'Ménages', 'ménages', SOURCE_INSEE),
  def('main_residences', 'population', 'Résidences principales', 'logements', SOURCE_INSEE),
  def('vacancy_rate', 'population', 'Taux de vacance', '%', SOURCE_INSEE, 'Logements vacants ÷ logements (recensement).'),
  def('owners_share', 'population', 'Part de propriétaires occupants', '%', SOURCE_INSEE, 'Résidences principales occupées par leur propriétaire ÷ résidences principales.'),
  def('median_income', 'population', 'Revenu disponible médian par unité de consommation', '€/an', SOURCE_INSEE),
  def('poverty_rate', 'population', 'Taux de pauvreté (seuil de 60 %)', '%', SOURCE_INSEE),
  def('price_m2_apartment', 'market', 'Prix médian au m² des appartements', '€/m²', SOURCE_DVF),
  def('price_m2_house', 'market', 'Prix médian au m² des maisons', '€/m²', SOURCE_DVF),
  def('sales_count', 'market', 'Nombre de ventes de logements', 'ventes', SOURCE_DVF),
  def('affordability_ratio', 'market', 'Ratio d’accessibilité', 'années de revenu', `${SOURCE_DVF} ; ${SOURCE_INSEE}`, 'Prix médian d’un logement vendu ÷ revenu disponible annuel médian d’un ménage.'),
  def('authorised_dwellings', 'construction', 'Logements autorisés (dernière année connue)', 'logements', SOURCE_SITADEL),
  def('started_dwellings', 'construction', 'Logements commencés (dernière année connue)', 'logements', SOURCE_SITADEL),
  def('plh_target_reached', 'construction', 'Part de l’objectif du PLH atteinte', '%', `${SOURCE_SITADEL} ; ${SOURCE_PLH}`),
  def('social_housing_stock', 'social_housing', 'Logements sociaux (parc RPLS)', 'logements', SOURCE_RPLS),
  def('sru_rate', 'social_housing', 'Taux de logements sociaux (SRU)', '%', SOURCE_SRU),
  def('sru_deficit', 'social_housing', 'Déficit de logements sociaux (SRU)', 'logements', SOURCE_SRU),
  def('pending_demands', 'demand', 'Demandes de logement social en attente', 'demandes', SOURCE_SNE),
  def('attributions', 'demand', 'Attributions de logement social', 'attributions', SOURCE_SNE, 'Demandes attribuées dans les 12 derniers mois.'),
  def('pressure_ratio', 'demand', 'Pression de la demande', 'demandes par attribution', SOURCE_SNE, 'Demandes en attente ÷ attributions des 12 derniers mois.'),
  def('median_waiting_months', 'demand', 'Délai d’attente médian des demandes attribuées', 'mois', SOURCE_SNE, 'Médiane du temps entre le dépôt et l’attribution, demandes attribuées dans les 12 derniers mois.'),
  def('share_fg', 'energy', 'Part des logements sociaux classés F ou G', '%', SOURCE_RPLS, 'Parmi les logements sociaux dont la classe énergie est connue (RPLS).'),
  def('share_e', 'energy', 'Part des logements sociaux classés E', '%', SOURCE_RPLS, 'Parmi les logements sociaux dont la classe énergie est connue (RPLS).'),
];

export const indicatorByKey = (key: string) => INDICATORS.find((i) => i.key === key);
