-- Territorial referential: every delivery a partner makes, kept as received with its validation report,
-- and the rows accepted from it for the other modules to read.
create table referential_delivery (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  schema_name text not null,
  schema_version text not null,
  received_at timestamptz not null default now(),
  -- An identical file sent again creates nothing, but says the partner's data is still current (freshness).
  last_received_at timestamptz not null default now(),
  times_received integer not null default 1,
  -- Who sent it: a signed-in user or an API key of the organisation (or an EPCI agent on its behalf).
  sent_by_user_id uuid references app_user(id),
  sent_by_api_key_id uuid references api_key(id),
  on_behalf boolean not null default false,
  filename text,
  media_type text,
  content bytea not null,
  content_sha256 text not null check (content_sha256 ~ '^[0-9a-f]{64}$'),
  byte_size integer not null,
  idempotency_key text,
  status text not null check (status in ('acceptee', 'partielle', 'refusee')),
  rows_total integer not null,
  rows_valid integer not null,
  rows_accepted integer not null,
  report jsonb not null
);
-- Re-sending the same file, or the same Idempotency-Key, returns the first delivery instead of creating another.
create unique index referential_delivery_same_content on referential_delivery (organisation_id, schema_name, schema_version, content_sha256);
create unique index referential_delivery_idempotency on referential_delivery (organisation_id, idempotency_key) where idempotency_key is not null;
create index referential_delivery_feed on referential_delivery (schema_name, received_at);
create index referential_delivery_org on referential_delivery (organisation_id, received_at);

create table referential_delivery_row (
  delivery_id uuid not null references referential_delivery(id) on delete cascade,
  line integer not null,
  data jsonb not null,
  primary key (delivery_id, line)
);
