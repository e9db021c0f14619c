-- Organisations, users, sessions, API keys and the audit log.
create table organisation (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('epci', 'commune', 'bailleur', 'promoteur', 'etat', 'adil', 'public')),
  name text not null,
  siren text,
  commune_code text references commune(code),
  created_at timestamptz not null default now()
);
create unique index organisation_siren on organisation (siren) where siren is not null;

create table app_user (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  name text not null,
  password_hash text not null,
  role text not null check (role in ('admin', 'agent', 'partner', 'readonly')),
  organisation_id uuid not null references organisation(id),
  active boolean not null default true,
  created_at timestamptz not null default now()
);
create unique index app_user_email on app_user (lower(email));

-- The session token never lives in the database: only its SHA-256.
create table user_session (
  token_hash text primary key,
  user_id uuid not null references app_user(id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index user_session_user on user_session (user_id);

-- API keys for machine partners: shown once, stored hashed, scoped to one organisation.
create table api_key (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  name text not null,
  prefix text not null,
  key_hash text not null unique,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  last_used_at timestamptz
);

create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor_kind text not null check (actor_kind in ('user', 'apikey', 'system', 'public')),
  actor_id text,
  organisation_id uuid,
  action text not null,
  entity text not null,
  entity_id text,
  detail jsonb,
  ip text
);
create index audit_log_at on audit_log (at);
create index audit_log_entity on audit_log (entity, entity_id);
