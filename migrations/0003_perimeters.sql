-- Perimeters for a club of EPCIs (issue 14) and the user lifecycle (issue 21): the club's operator, which EPCIs a
-- partner organisation works with, what each EPCI shares with the club, on whose perimeter an action was, failed
-- logins, and where a session was opened.

-- The club's operator: an instance-level administrator, member of the club's own organisation (kind 'club').
alter table organisation drop constraint organisation_kind_check;
alter table organisation add constraint organisation_kind_check
  check (kind in ('epci', 'commune', 'bailleur', 'promoteur', 'etat', 'adil', 'public', 'club'));
alter table app_user drop constraint app_user_role_check;
alter table app_user add constraint app_user_role_check check (role in ('operator', 'admin', 'agent', 'partner', 'readonly'));

-- The EPCIs a partner organisation (bailleur, promoteur, ADIL, State…) works with. The EPCI's staff see its
-- deliveries, compliance, users and keys; the partner reads that EPCI's PLH data. Each EPCI's admin adds and removes
-- its own links. An EPCI organisation belongs to its own EPCI and a commune to its commune's EPCI: no row for them.
create table organisation_epci (
  organisation_id uuid not null references organisation(id) on delete cascade,
  epci_siren text not null references epci(siren),
  added_at timestamptz not null default now(),
  primary key (organisation_id, epci_siren)
);
create index organisation_epci_epci on organisation_epci (epci_siren);
-- Before perimeters, every partner worked with every EPCI of the instance: keep it so for existing ones.
insert into organisation_epci (organisation_id, epci_siren)
  select o.id, i.siren from organisation o cross join instance_epci i where o.kind not in ('epci', 'commune', 'club');

-- What an EPCI chooses to share with the other members of the club (a row = shared). Nothing by default.
create table epci_partage (
  epci_siren text not null references epci(siren),
  objet text not null check (objet in ('indicateurs_plh', 'conformite_referentiel')),
  partage_le timestamptz not null default now(),
  partage_par uuid references app_user(id) on delete set null,
  primary key (epci_siren, objet)
);

-- On whose perimeter (EPCI SIREN) each action was; null for an action on no EPCI's data (e.g. a public simulation).
alter table audit_log add column epci_siren text;
create index audit_log_epci on audit_log (epci_siren, id);

-- Failed logins per e-mail address, stored hashed: the address may belong to no account, and counting it anyway is
-- what keeps the lock from telling whether an account exists.
create table login_failure (
  email_hash text primary key,
  failures integer not null default 0,
  first_failed_at timestamptz not null default now(),
  locked_until timestamptz
);

-- Where a session was opened, so that an admin listing a user's sessions can tell them apart.
alter table user_session add column ip text;
alter table user_session add column user_agent text;
