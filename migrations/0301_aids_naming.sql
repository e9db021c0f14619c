-- One naming rule (docs/decisions/0004-naming.md, issue 20): the EPCIs' own aids in English beside the glossary's
-- domain words (epci, siren, primo_accedant, dpe, mpr for MaPrimeRénov'). Renamed in place: every row keeps its data.
-- The stored values that the API now names in English are rewritten with them (housing types, MaPrimeRénov'
-- categories, « aucun » plafond); `kind` keeps `accession` (aided ownership, a glossary word) and `renovation`.

alter table aids_local_aid rename column nom to name;
alter table aids_local_aid rename column montant_euros to amount_euros;
alter table aids_local_aid rename column plafond_reference to ceiling_reference;
alter table aids_local_aid rename column primo_accedant_requis to primo_accedant_required;
alter table aids_local_aid rename column types_logement to housing_types;
alter table aids_local_aid rename column categories_mpr to mpr_categories;
alter table aids_local_aid rename column classes_dpe to dpe_classes;
alter table aids_local_aid rename column actif to active;

-- Older rows may hold a list as a JSON string inside jsonb: made arrays first, so the value rewrite below reads them.
update aids_local_aid set housing_types = (housing_types #>> '{}')::jsonb where jsonb_typeof(housing_types) = 'string';
update aids_local_aid set mpr_categories = (mpr_categories #>> '{}')::jsonb where jsonb_typeof(mpr_categories) = 'string';
update aids_local_aid set dpe_classes = (dpe_classes #>> '{}')::jsonb where jsonb_typeof(dpe_classes) = 'string';
update aids_local_aid set communes = (communes #>> '{}')::jsonb where jsonb_typeof(communes) = 'string';

update aids_local_aid set housing_types = coalesce((
  select jsonb_agg(case e when 'neuf' then 'new_build' when 'ancien_avec_travaux' then 'existing_with_works'
    when 'ancien_sans_travaux' then 'existing_without_works' else e end order by o)
  from jsonb_array_elements_text(housing_types) with ordinality as x(e, o)), '[]'::jsonb);
update aids_local_aid set mpr_categories = coalesce((
  select jsonb_agg(case e when 'tres_modeste' then 'very_modest' when 'modeste' then 'modest'
    when 'intermediaire' then 'intermediate' when 'superieur' then 'higher' else e end order by o)
  from jsonb_array_elements_text(mpr_categories) with ordinality as x(e, o)), '[]'::jsonb);

alter table aids_local_aid drop constraint aids_local_aid_plafond_reference_check;
update aids_local_aid set ceiling_reference = 'none' where ceiling_reference = 'aucun';
alter table aids_local_aid alter column ceiling_reference set default 'none';
alter table aids_local_aid add constraint aids_local_aid_ceiling_reference_check
  check (ceiling_reference in ('none', 'PSLA', 'BRS', 'PTZ'));
