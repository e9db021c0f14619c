-- Bailleurs the EPCI authorises to read its demands (to prepare allocation committees). Without a row here, a
-- partner reads no demand at all. Revoking deletes the row; the grant and the revocation are in audit_log.
create table demand_partner_access (
  organisation_id uuid not null references organisation(id) on delete cascade,
  epci_siren text not null references epci(siren),
  granted_at timestamptz not null default now(),
  primary key (organisation_id, epci_siren)
);
