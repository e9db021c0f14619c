-- The EPCI's own household aids (first-time-buyer aid, renovation top-ups), as its council voted them.
-- Public simulations store nothing: only this configuration, written by EPCI admins and agents.
create table aids_local_aid (
  id uuid primary key default gen_random_uuid(),
  epci_siren text not null references epci(siren),
  kind text not null check (kind in ('accession', 'renovation')),
  nom text not null check (length(nom) between 1 and 200),
  description text not null default '',
  montant_euros numeric check (montant_euros is null or montant_euros >= 0),
  plafond_reference text not null default 'aucun' check (plafond_reference in ('aucun', 'PSLA', 'BRS', 'PTZ')),
  primo_accedant_requis boolean not null default false,
  -- Lists as jsonb arrays: both drivers (pg, PGlite) read them back as JS arrays without array-literal quirks.
  types_logement jsonb not null default '[]',
  categories_mpr jsonb not null default '[]',
  classes_dpe jsonb not null default '[]',
  communes jsonb not null default '[]',
  contact text not null default '',
  deliberation text,
  actif boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  updated_by uuid references app_user(id)
);
create index aids_local_aid_epci on aids_local_aid (epci_siren, kind) where actif;
