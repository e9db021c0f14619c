-- Territories from the COG (@etalab/decoupage-administratif): régions, départements, EPCI, communes.
-- Commune codes repeat across COG types (déléguées, associées): only current communes and the
-- Paris/Lyon/Marseille arrondissements (children of their commune) are kept, so `code` is unique here.
create table region (
  code text primary key,
  nom text not null
);

create table departement (
  code text primary key,
  nom text not null,
  region_code text references region(code)
);

create table epci (
  siren text primary key check (siren ~ '^[0-9]{9}$'),
  nom text not null,
  type text not null,
  population integer
);

create table commune (
  code text primary key check (code ~ '^[0-9][0-9AB][0-9]{3}$'),
  nom text not null,
  type text not null check (type in ('commune-actuelle', 'arrondissement-municipal')),
  parent_code text references commune(code),
  departement_code text references departement(code),
  region_code text references region(code),
  epci_siren text references epci(siren),
  population integer,
  codes_postaux text[] not null default '{}'
);
create index commune_epci on commune (epci_siren);
create index commune_departement on commune (departement_code);

-- The EPCIs this instance serves (a club of several is allowed), synced from configuration at start.
create table instance_epci (
  siren text primary key references epci(siren),
  added_at timestamptz not null default now()
);

-- Commune outlines (GeoJSON geometry, WGS84) with the source they come from.
create table commune_contour (
  code text primary key,
  geometry jsonb not null,
  source text not null,
  millesime integer not null
);

create table territory_load (
  name text primary key,
  version text not null,
  loaded_at timestamptz not null default now()
);

-- Accent-insensitive search without the unaccent extension (not available on every server).
create function unaccent_simple(t text) returns text language sql immutable as $$
  select translate(replace(t, '-', ' '), 'àâäáéèêëîïíôöóùûüúçÀÂÄÁÉÈÊËÎÏÍÔÖÓÙÛÜÚÇ’', 'aaaaeeeeiiiooouuuucAAAAEEEEIIIOOOUUUUC''')
$$;
