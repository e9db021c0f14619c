-- Observatory: figures of the INSEE « comparateur de territoires », per edition and commune.
-- The columns of that file change with each edition (P22_POP becomes P23_POP), so a commune's figures are one JSON
-- object per edition (column -> number); the columns under statistical secrecy (`s` in the file) are listed apart.
-- No foreign key to commune: an edition uses the COG of its year, which may name communes merged since.
create table observatory_insee_edition (
  edition text primary key,
  file text not null,
  sha256 text not null,
  published_at date,
  lines integer not null,
  communes integer not null,
  rejected integer not null,
  columns text[] not null,
  imported_at timestamptz not null default now()
);

create table observatory_insee_figure (
  edition text not null references observatory_insee_edition(edition) on delete cascade,
  commune_code text not null check (commune_code ~ '^[0-9][0-9AB][0-9]{3}$'),
  libelle text,
  figures jsonb not null,
  secrets text[] not null default '{}',
  primary key (edition, commune_code)
);
create index observatory_insee_figure_commune on observatory_insee_figure (commune_code);
