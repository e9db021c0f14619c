-- Sources: the connectors' downloads (validators of the copy each import took) and the history of their runs.

-- One row per URL whose file was imported: sent back as If-None-Match / If-Modified-Since on the next run.
create table source_download (
  url text primary key,
  source text not null,
  path text not null,
  etag text,
  last_modified text,
  sha256 text not null,
  bytes bigint not null,
  downloaded_at timestamptz not null default now(),
  checked_at timestamptz not null default now()
);
create index source_download_source on source_download (source);

-- Every run of a connector (habitat fetch, habitat refresh, the server's schedule), successful or not.
create table source_run (
  id uuid primary key default gen_random_uuid(),
  source text not null,
  trigger text not null check (trigger in ('commande', 'planification')),
  edition text,
  started_at timestamptz not null,
  ended_at timestamptz,
  lines integer,
  result text not null check (result in ('en-cours', 'importe', 'inchange', 'echec')),
  message text,
  options jsonb not null default '{}'
);
create index source_run_source on source_run (source, started_at desc);
