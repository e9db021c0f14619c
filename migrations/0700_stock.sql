-- Housing stock: landlords' buildings, ADEME DPEs, incidents, tenants' contacts (with consent) and notifications.
-- The RPLS aggregates live in the lake (<dataDir>/lake/rpls/), not here.

-- A landlord's building, as the landlord declares it (its own reference is the key).
create table stock_building (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  reference text not null,
  commune_code text not null references commune(code),
  adresse text,
  identifiant_ban text,
  annee_construction integer check (annee_construction between 1000 and 2100),
  nb_logements integer not null check (nb_logements >= 0),
  financement text check (financement in ('PLAI', 'PLUS', 'PLS', 'PLI', 'autre')),
  qpv boolean,
  dpe_classe text check (dpe_classe in ('A', 'B', 'C', 'D', 'E', 'F', 'G')),
  dpe_date date,
  conso_ep_m2 numeric,
  updated_at timestamptz not null default now(),
  unique (organisation_id, reference)
);
create index stock_building_commune on stock_building (commune_code);
create index stock_building_ban on stock_building (identifiant_ban) where identifiant_ban is not null;

-- One ADEME DPE. `code_insee_source` keeps what the file said when the commune was corrected.
create table stock_dpe (
  numero_dpe text primary key,
  date_reception date not null,
  etiquette_dpe text not null check (etiquette_dpe in ('A', 'B', 'C', 'D', 'E', 'F', 'G')),
  etiquette_ges text check (etiquette_ges in ('A', 'B', 'C', 'D', 'E', 'F', 'G')),
  type_batiment text,
  surface_m2 numeric,
  conso_ep_m2 numeric,
  ges_m2 numeric,
  commune_code text not null references commune(code),
  code_insee_source text not null,
  code_postal text,
  identifiant_ban text,
  adresse text,
  numero_dpe_immeuble text,
  numero_rpls_logement text,
  building_id uuid references stock_building(id) on delete set null,
  source_file text not null
);
create index stock_dpe_commune on stock_dpe (commune_code);
create index stock_dpe_ban on stock_dpe (identifiant_ban);
create index stock_dpe_building on stock_dpe (building_id);

-- Imports already made (same content = no-op), with their counts for the operator.
create table stock_dpe_import (
  sha256 text primary key,
  file text not null,
  layout text not null,
  lines integer not null,
  accepted integer not null,
  corrected integer not null,
  rejected integer not null,
  imported_at timestamptz not null default now()
);

create table stock_incident (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  building_id uuid not null references stock_building(id),
  reference text,
  category text not null check (category in ('ascenseur', 'chauffage', 'eau', 'electricite', 'infiltration', 'securite', 'nuisibles', 'autre')),
  severity text not null check (severity in ('faible', 'moyenne', 'elevee', 'critique')),
  status text not null check (status in ('ouvert', 'en-cours', 'resolu')),
  nb_logements_concernes integer check (nb_logements_concernes >= 0),
  started_at timestamptz not null,
  resolved_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (resolved_at is null or resolved_at >= started_at),
  check ((status = 'resolu') = (resolved_at is not null))
);
create unique index stock_incident_reference on stock_incident (organisation_id, reference) where reference is not null;
create index stock_incident_building on stock_incident (building_id);

create table stock_incident_event (
  id bigserial primary key,
  incident_id uuid not null references stock_incident(id) on delete cascade,
  at timestamptz not null default now(),
  status text not null,
  actor_kind text not null
);

-- A tenant's contact: no name, no dwelling number — a channel and an address, for one purpose, with consent.
create table stock_contact (
  id uuid primary key default gen_random_uuid(),
  building_id uuid not null references stock_building(id) on delete cascade,
  organisation_id uuid not null references organisation(id),
  channel text not null check (channel in ('email', 'sms')),
  address text not null,
  purpose text not null,
  consent boolean not null,
  consent_at timestamptz not null,
  withdrawn_at timestamptz,
  retention_until timestamptz not null,
  created_at timestamptz not null default now(),
  unique (building_id, channel, address)
);
create index stock_contact_retention on stock_contact (retention_until);

-- What was sent, to whom (a contact id or a user id, never the address itself), and how it went.
create table stock_notification (
  id bigserial primary key,
  incident_id uuid not null references stock_incident(id) on delete cascade,
  event text not null check (event in ('ouverture', 'resolution')),
  recipient_kind text not null check (recipient_kind in ('locataire', 'agent')),
  contact_id uuid references stock_contact(id) on delete set null,
  user_id uuid references app_user(id) on delete set null,
  channel text not null,
  status text not null check (status in ('envoye', 'echec', 'sans-fournisseur')),
  error text,
  at timestamptz not null default now()
);
create index stock_notification_incident on stock_notification (incident_id);
