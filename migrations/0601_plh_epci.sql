-- In a club of EPCIs each EPCI has its own PLH: the programme says whose it is (issue 14).
alter table plh_programme add column epci_siren text references epci(siren);
-- A programme entered before this belongs to the EPCI most of its targets are in, else to the instance's first EPCI.
update plh_programme p set epci_siren = coalesce(
  (select c.epci_siren from plh_objectif o join commune c on c.code = o.commune_code
    where o.programme_id = p.id and c.epci_siren is not null group by c.epci_siren order by count(*) desc, c.epci_siren limit 1),
  (select min(siren) from instance_epci))
where epci_siren is null;
create index plh_programme_epci on plh_programme (epci_siren, annee_debut);
