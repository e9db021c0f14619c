-- The naming rule (docs/decisions/0004-naming.md): English column names, the data kept. Statuses of a demand stay the
-- SNE's own words (active, attribuee, radiee); a grid's statuses become English (draft, adopted). Grid definitions and
-- score lines are JSON written by the application: their keys become snake_case (validFrom -> valid_from…).

alter table demand rename column numero to number;
alter table demand rename column date_depot to filing_date;
alter table demand rename column date_renouvellement to renewal_date;
alter table demand rename column statut to status;
alter table demand rename column nb_adultes to adults;
alter table demand rename column nb_enfants to children;
alter table demand rename column ressources_mensuelles to monthly_income;
alter table demand rename column loyer_residuel to residual_rent;
alter table demand rename column situation_logement to housing_situation;
alter table demand rename column surface_logement to current_surface;
alter table demand rename column typologie to typology;
alter table demand rename column priorites to flags;
alter table demand rename column nb_refus to refusals;
alter index demand_epci_statut rename to demand_epci_status;

alter table demand_person rename column nom to last_name;
alter table demand_person rename column prenom to first_name;
alter table demand_person rename column date_naissance to birth_date;
alter table demand_person rename column courriel to email;
alter table demand_person rename column telephone to phone;

alter table demand_attribution rename column typologie to typology;
alter table demand_attribution rename column date_depot to filing_date;
alter table demand_attribution rename column date_attribution to attribution_date;

alter table demand_grid drop constraint demand_grid_status_check;
update demand_grid set status = case status when 'brouillon' then 'draft' else 'adopted' end;
alter table demand_grid add constraint demand_grid_status_check check (status in ('draft', 'adopted'));
alter table demand_grid alter column status set default 'draft';

-- A grid definition: the top-level dates and SIREN, and the keys of the seniority, delay and refusal rules.
update demand_grid set definition =
  (definition - 'epciSiren' - 'validFrom' - 'validTo' - 'abnormalDelay' - 'seniority' - 'refusals')
  || jsonb_build_object(
    'epci_siren', definition -> 'epciSiren',
    'valid_from', definition -> 'validFrom',
    'valid_to', definition -> 'validTo',
    'seniority', case when jsonb_typeof(definition -> 'seniority') = 'object'
      then ((definition -> 'seniority') - 'pointsPerMonth') || jsonb_build_object('points_per_month', definition -> 'seniority' -> 'pointsPerMonth')
      else 'null'::jsonb end,
    'abnormal_delay', coalesce(definition -> 'abnormalDelay', 'null'::jsonb),
    'refusals', case when jsonb_typeof(definition -> 'refusals') = 'object'
      then ((definition -> 'refusals') - 'pointsPerRefusal' - 'maxLoss')
        || jsonb_build_object('points_per_refusal', definition -> 'refusals' -> 'pointsPerRefusal', 'max_loss', coalesce(definition -> 'refusals' -> 'maxLoss', 'null'::jsonb))
      else 'null'::jsonb end)
where definition ? 'validFrom';

-- The explanation kept with each score: `criterionId` of every line becomes `criterion_id`.
update demand_score s set sections = (
  select coalesce(jsonb_agg(
    (sec - 'lines') || jsonb_build_object('lines', (
      select coalesce(jsonb_agg((l - 'criterionId') || jsonb_build_object('criterion_id', l -> 'criterionId') order by li), '[]'::jsonb)
      from jsonb_array_elements(sec -> 'lines') with ordinality as x(l, li)))
    order by si), '[]'::jsonb)
  from jsonb_array_elements(s.sections) with ordinality as y(sec, si))
where jsonb_typeof(s.sections) = 'array' and s.sections::text like '%"criterionId"%';
