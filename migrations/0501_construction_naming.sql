-- One naming rule (docs/decisions/0004-naming.md, issue 20): construction's columns and values in English beside the
-- glossary's domain words (plai, plus, pls, psla, brs, sitadel, sru). Renamed in place: every row keeps its data.
-- Sitadel's own identifiers (type_dau, num_dau) stay as the source writes them.

alter table construction_programme rename column maitre_ouvrage to project_owner;
alter table construction_programme rename column date_depot to filing_date;
alter table construction_programme rename column date_autorisation to authorisation_date;
alter table construction_programme rename column date_chantier to works_start_date;
alter table construction_programme rename column date_livraison to delivery_date;
alter table construction_programme rename column libre to free_market;
alter table construction_programme rename column lls_non_ventile to social_unspecified;
alter table construction_programme rename column accession_non_ventilee to aided_ownership_unspecified;
alter table construction_programme rename column individuel_pur to single_house;
alter table construction_programme rename column individuel_groupe to grouped_houses;
alter table construction_programme rename column collectif to collective;

-- The pipeline's states, the sources and the match decisions.
alter table construction_programme drop constraint construction_programme_state_check;
alter table construction_programme drop constraint construction_programme_source_check;
alter table construction_programme drop constraint construction_programme_match_status_check;
update construction_programme set
  state = case state when 'projet' then 'project' when 'pc_depose' then 'permit_filed' when 'pc_accorde' then 'permit_granted'
    when 'chantier_ouvert' then 'works_started' when 'livre' then 'delivered' when 'abandonne' then 'abandoned' else state end,
  source = case source when 'partenaire' then 'partner' when 'saisie' then 'manual' else source end,
  match_status = case match_status when 'suggere' then 'suggested' when 'confirme' then 'confirmed' when 'rejete' then 'rejected' else match_status end,
  -- "partenaire:<organisation>:<identifiant>" keys a partner's programme: same key, English prefix.
  source_ref = case when source_ref like 'partenaire:%' then 'partner:' || substr(source_ref, 12) else source_ref end;
alter table construction_programme add constraint construction_programme_state_check
  check (state in ('project', 'permit_filed', 'permit_granted', 'works_started', 'delivered', 'abandoned'));
alter table construction_programme add constraint construction_programme_source_check check (source in ('sitadel', 'partner', 'manual'));
alter table construction_programme add constraint construction_programme_match_status_check check (match_status in ('suggested', 'confirmed', 'rejected'));

-- A permit's state as Sitadel's ETAT_DAU codes say it (2 authorised, 4 cancelled, 5 started, 6 completed).
alter table construction_permit rename column etat to state;
alter table construction_permit rename column date_autorisation to authorisation_date;
alter table construction_permit rename column date_chantier to works_start_date;
alter table construction_permit rename column date_achevement to completion_date;
alter table construction_permit drop constraint construction_permit_etat_check;
update construction_permit set state = case state when 'autorise' then 'authorised' when 'annule' then 'cancelled'
  when 'commence' then 'started' when 'acheve' then 'completed' else state end;
alter table construction_permit add constraint construction_permit_state_check check (state in ('authorised', 'cancelled', 'started', 'completed'));

alter table construction_event drop constraint construction_event_kind_check;
update construction_event set
  kind = case kind when 'creation' then 'created' when 'etat' then 'state' when 'modification' then 'updated' when 'rapprochement' then 'matched' else kind end,
  source = case source when 'partenaire' then 'partner' when 'saisie' then 'manual' else source end,
  from_state = case from_state when 'projet' then 'project' when 'pc_depose' then 'permit_filed' when 'pc_accorde' then 'permit_granted'
    when 'chantier_ouvert' then 'works_started' when 'livre' then 'delivered' when 'abandonne' then 'abandoned' else from_state end,
  to_state = case to_state when 'projet' then 'project' when 'pc_depose' then 'permit_filed' when 'pc_accorde' then 'permit_granted'
    when 'chantier_ouvert' then 'works_started' when 'livre' then 'delivered' when 'abandonne' then 'abandoned' else to_state end;
alter table construction_event add constraint construction_event_kind_check check (kind in ('created', 'state', 'updated', 'matched'));

-- An alert's key starts with its rule: renamed together, so a situation already notified is not notified again.
update construction_notification set
  rule = case rule when 'commune_en_retard' then 'commune_behind' when 'programme_bloque' then 'programme_stalled' else rule end,
  alert_key = case
    when alert_key like 'commune_en_retard:%' then 'commune_behind:' || substr(alert_key, 19)
    when alert_key like 'programme_bloque:%' then 'programme_stalled:' || split_part(alert_key, ':', 2) || ':' ||
      case split_part(alert_key, ':', 3) when 'projet' then 'project' when 'pc_depose' then 'permit_filed'
        when 'pc_accorde' then 'permit_granted' when 'chantier_ouvert' then 'works_started' else split_part(alert_key, ':', 3) end
    else alert_key end;
