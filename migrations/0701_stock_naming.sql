-- The naming rule (docs/decisions/0004-naming.md) applied to the stock tables: English column names and values where
-- they were French words of our own; data kept. The DPE table keeps ADEME's names (a source's own columns), and the
-- incident categories, severities and statuses keep the values of the referential's « incidents-batiments » schema
-- (the partners' contract).

-- A landlord's building.
alter table stock_building rename column adresse to address;
alter table stock_building rename column identifiant_ban to ban_id;
alter table stock_building rename column annee_construction to construction_year;
alter table stock_building rename column nb_logements to dwellings_count;
alter table stock_building rename column financement to financing;
alter table stock_building rename column dpe_classe to dpe_class;
alter table stock_building rename column conso_ep_m2 to primary_energy_kwh_m2;
alter table stock_building rename constraint stock_building_annee_construction_check to stock_building_construction_year_check;
alter table stock_building rename constraint stock_building_nb_logements_check to stock_building_dwellings_count_check;
alter table stock_building rename constraint stock_building_dpe_classe_check to stock_building_dpe_class_check;
alter table stock_building drop constraint stock_building_financement_check;
update stock_building set financing = 'other' where financing = 'autre';
alter table stock_building add constraint stock_building_financing_check check (financing in ('PLAI', 'PLUS', 'PLS', 'PLI', 'other'));

-- An incident.
alter table stock_incident rename column nb_logements_concernes to affected_dwellings;
alter table stock_incident rename constraint stock_incident_nb_logements_concernes_check to stock_incident_affected_dwellings_check;

-- A tenant's contact: the code of the one purpose it was given for (the French sentence is shown to people).
update stock_contact set purpose = 'incident_alerts' where purpose = 'alertes-incidents';

-- What was sent.
alter table stock_notification drop constraint stock_notification_event_check;
alter table stock_notification drop constraint stock_notification_recipient_kind_check;
alter table stock_notification drop constraint stock_notification_status_check;
update stock_notification set event = case event when 'ouverture' then 'opened' when 'resolution' then 'resolved' else event end;
update stock_notification set recipient_kind = 'tenant' where recipient_kind = 'locataire';
update stock_notification set status = case status when 'envoye' then 'sent' when 'echec' then 'failed' when 'sans-fournisseur' then 'no_provider' else status end;
alter table stock_notification add constraint stock_notification_event_check check (event in ('opened', 'resolved'));
alter table stock_notification add constraint stock_notification_recipient_kind_check check (recipient_kind in ('tenant', 'agent'));
alter table stock_notification add constraint stock_notification_status_check check (status in ('sent', 'failed', 'no_provider'));
