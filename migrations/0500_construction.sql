-- New construction: housing programmes and their pipeline, building permits (Sitadel and partners), state-change
-- events, PLH production targets per commune, and the alerts sent to agents.

create table construction_programme (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  commune_code text not null references commune(code),
  address text,
  lat double precision,
  lon double precision,
  state text not null check (state in ('projet', 'pc_depose', 'pc_accorde', 'chantier_ouvert', 'livre', 'abandonne')),
  state_since date not null,
  source text not null check (source in ('sitadel', 'partenaire', 'saisie')),
  -- Stable identity in its source: "sitadel:PC:0315551…", "partenaire:<organisation>:<identifiant>"; null for manual entry.
  source_ref text unique,
  organisation_id uuid references organisation(id),
  maitre_ouvrage text,
  units integer not null check (units >= 0),
  plai integer not null default 0, plus integer not null default 0, pls integer not null default 0,
  psla integer not null default 0, brs integer not null default 0, libre integer not null default 0,
  lls_non_ventile integer not null default 0, accession_non_ventilee integer not null default 0,
  individuel_pur integer not null default 0, individuel_groupe integer not null default 0,
  collectif integer not null default 0, residence integer not null default 0,
  date_depot date,
  date_autorisation date,
  date_chantier date,
  date_livraison date,
  -- Another programme that is the same operation seen from another source: counted once, through the other one.
  duplicate_of uuid references construction_programme(id),
  match_status text check (match_status in ('suggere', 'confirme', 'rejete')),
  match_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index construction_programme_commune on construction_programme (commune_code, state);
create index construction_programme_duplicate on construction_programme (duplicate_of) where duplicate_of is not null;

create table construction_permit (
  type_dau text not null check (type_dau in ('PC', 'DP', 'PA')),
  num_dau text not null,
  programme_id uuid not null references construction_programme(id),
  commune_code text not null references commune(code),
  etat text not null check (etat in ('autorise', 'annule', 'commence', 'acheve')),
  date_autorisation date,
  date_chantier date,
  date_achevement date,
  units integer not null,
  source text not null,
  -- Hash of the imported values: a re-import of the same line changes nothing, not even updated_at.
  fingerprint text not null,
  updated_at timestamptz not null default now(),
  -- One number may carry a PC and a DP (seen in the Toulouse 2026-01 edition): the type is part of the key.
  primary key (type_dau, num_dau)
);
create index construction_permit_programme on construction_permit (programme_id);

create table construction_event (
  id bigserial primary key,
  programme_id uuid not null references construction_programme(id),
  kind text not null check (kind in ('creation', 'etat', 'modification', 'rapprochement')),
  from_state text,
  to_state text,
  event_date date not null,
  source text not null,
  author text not null,
  detail jsonb,
  recorded_at timestamptz not null default now()
);
create index construction_event_programme on construction_event (programme_id, id);

create table construction_target (
  commune_code text not null references commune(code),
  period_start integer not null,
  period_end integer not null,
  total integer not null check (total >= 0),
  social integer not null check (social >= 0 and social <= total),
  sru boolean not null default false,
  updated_at timestamptz not null default now(),
  primary key (commune_code, period_start),
  check (period_end >= period_start)
);

create table construction_notification (
  id uuid primary key default gen_random_uuid(),
  alert_key text not null unique,
  rule text not null,
  commune_code text references commune(code),
  programme_id uuid references construction_programme(id),
  message text not null,
  created_at timestamptz not null default now(),
  read_at timestamptz,
  emailed_to text[] not null default '{}'
);

create table construction_import (
  file_hash text primary key,
  file_name text not null,
  rows integer not null,
  imported_at timestamptz not null default now()
);
