-- Naming rule (docs/decisions/0004-naming.md): what an EPCI shares with the club, in English. Data kept.
alter table epci_partage rename to epci_sharing;
alter table epci_sharing rename column objet to item;
alter table epci_sharing rename column partage_le to shared_at;
alter table epci_sharing rename column partage_par to shared_by;
