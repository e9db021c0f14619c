-- Social-housing demands, their cotation grids, scores and attributions.
-- Identity and contact details live in demand_person, apart from what the score needs, so that a purge or a
-- pseudonymised export never has to pick fields out of one wide row.

-- A cotation grid version: its definition is JSON validated by the application (src/modules/demand/model.ts).
create table demand_grid (
  id uuid primary key default gen_random_uuid(),
  epci_siren text not null references epci(siren),
  version integer not null check (version >= 1),
  name text not null,
  status text not null default 'brouillon' check (status in ('brouillon', 'adoptee')),
  valid_from date not null,
  valid_to date check (valid_to is null or valid_to > valid_from),
  definition jsonb not null,
  created_at timestamptz not null default now(),
  adopted_at timestamptz,
  unique (epci_siren, version)
);

create table demand (
  id uuid primary key default gen_random_uuid(),
  numero text not null unique,
  epci_siren text not null references epci(siren),
  date_depot date not null,
  date_renouvellement date,
  statut text not null default 'active' check (statut in ('active', 'attribuee', 'radiee')),
  nb_adultes integer not null check (nb_adultes >= 1),
  nb_enfants integer not null default 0 check (nb_enfants >= 0),
  ressources_mensuelles double precision,
  loyer_residuel double precision,
  situation_logement text not null,
  surface_logement double precision,
  typologie text not null,
  communes text[] not null,
  mutation boolean not null default false,
  priorites text[] not null default '{}',
  nb_refus integer not null default 0 check (nb_refus >= 0),
  -- SHA-256 of the applicant's access code: the code itself is shown once and never stored.
  access_code_hash text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index demand_epci_statut on demand (epci_siren, statut, typologie);

create table demand_person (
  demand_id uuid primary key references demand(id) on delete cascade,
  nom text not null,
  prenom text not null,
  date_naissance date,
  courriel text,
  telephone text
);

-- Attributions outlive the purge of their demand (demand_id set to null): waiting times stay observable
-- without keeping anything personal.
create table demand_attribution (
  id uuid primary key default gen_random_uuid(),
  demand_id uuid unique references demand(id) on delete set null,
  epci_siren text not null references epci(siren),
  commune_code text not null references commune(code),
  typologie text not null,
  date_depot date not null,
  date_attribution date not null check (date_attribution >= date_depot),
  bailleur_id uuid references organisation(id),
  created_at timestamptz not null default now()
);
create index demand_attribution_lookup on demand_attribution (epci_siren, typologie, commune_code);

-- The score of a demand under one grid version, with one line per criterion (JSON) to explain it.
create table demand_score (
  demand_id uuid not null references demand(id) on delete cascade,
  grid_id uuid not null references demand_grid(id) on delete cascade,
  total double precision not null,
  sections jsonb not null,
  ref_date date not null,
  computed_at timestamptz not null default now(),
  primary key (demand_id, grid_id)
);
create index demand_score_grid on demand_score (grid_id, total);

-- The instance's secret for pseudonymised exports (HMAC of demand numbers), made once on first use.
create table demand_secret (
  id integer primary key check (id = 1),
  secret text not null,
  created_at timestamptz not null default now()
);
