-- One naming rule (docs/decisions/0004-naming.md, issue 20): the PLH's tables and columns in English beside the
-- glossary's domain words (plh, sru, plai, plus, pls, commune, epci). Renamed in place: every row keeps its data.
-- The values (categories `logements`…, action statuses `a_engager`…, aid types, land statuses) stay: they are the
-- vocabulary of the programme workbook and of the SRU CSV that EPCIs fill in (docs/plh.md).

alter table plh_programme rename column nom to name;
alter table plh_programme rename column annee_debut to start_year;
alter table plh_programme rename column annee_fin to end_year;
alter table plh_programme rename column taux_rattrapage_sru to sru_catch_up_rate;

alter table plh_orientation rename column titre to title;
alter table plh_orientation rename column rang to rank;

alter table plh_action rename column titre to title;
alter table plh_action rename column pilote to lead;
alter table plh_action rename column partenaires to partners;
alter table plh_action rename column statut to status;
alter table plh_action rename column indicateurs to indicators;
alter table plh_action rename column indicateur_categorie to indicator_category;
alter table plh_action rename column commentaire to comment;
alter table plh_action rename column rang to rank;

alter table plh_action_budget rename column annee to year;
alter table plh_action_budget rename column prevu_euros to planned_euros;
alter table plh_action_budget rename column depense_euros to spent_euros;

alter table plh_objectif rename to plh_target;
alter table plh_target rename column categorie to category;
alter table plh_target rename column annee_debut to start_year;
alter table plh_target rename column annee_fin to end_year;
alter table plh_target rename column valeur to value;

alter table plh_realisation rename to plh_achievement;
alter table plh_achievement rename column categorie to category;
alter table plh_achievement rename column annee to year;
alter table plh_achievement rename column valeur to value;

alter table plh_sru_inventaire rename to plh_sru_inventory;
alter table plh_sru_inventory rename column annee to year;
alter table plh_sru_inventory rename column residences_principales to main_residences;
alter table plh_sru_inventory rename column logements_sociaux to social_dwellings;
alter table plh_sru_inventory rename column taux_legal to legal_rate;
alter table plh_sru_inventory rename column exemptee to exempt;
alter table plh_sru_inventory rename column potentiel_fiscal_par_habitant to fiscal_potential_per_inhabitant;
alter table plh_sru_inventory rename column depenses_reelles_fonctionnement to operating_expenses;
alter table plh_sru_inventory rename column depenses_deductibles to deductible_expenses;

alter table plh_aide_accordee rename to plh_aid;
alter table plh_aid rename column annee to year;
alter table plh_aid rename column montant_euros to amount_euros;
alter table plh_aid rename column nb_logements to dwellings_count;
alter table plh_aid rename column nb_plai to plai_count;
alter table plh_aid rename column nb_plus to plus_count;
alter table plh_aid rename column nb_pls to pls_count;
alter table plh_aid rename column gain_energetique_pct to energy_gain_pct;
alter table plh_aid rename column commentaire to comment;

alter table plh_foncier rename to plh_land;
alter table plh_land rename column parcelle to parcel;
alter table plh_land rename column zonage to zoning;
alter table plh_land rename column logements_potentiels to potential_dwellings;
alter table plh_land rename column statut to status;
alter table plh_land rename column commentaire to comment;
