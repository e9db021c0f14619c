-- PLH steering: the action programme (orientations, actions, budgets), territorialised targets, what was achieved,
-- SRU inventories, aids granted by the EPCI and the land register. Figures are entered by agents or imported;
-- every figure row keeps its source so the bilans can cite it.

-- One row per PLH (6 years). The current one is the latest by start year.
create table plh_programme (
  id uuid primary key default gen_random_uuid(),
  nom text not null check (length(nom) between 1 and 300),
  annee_debut integer not null check (annee_debut between 2000 and 2100),
  annee_fin integer not null check (annee_fin between 2000 and 2100 and annee_fin >= annee_debut),
  -- Share of the SRU deficit to catch up per triennial period (33 % in law since 3DS; a contrat de mixité sociale may lower it).
  taux_rattrapage_sru numeric not null default 0.33 check (taux_rattrapage_sru > 0 and taux_rattrapage_sru <= 1),
  updated_at timestamptz not null default now()
);

create table plh_orientation (
  programme_id uuid not null references plh_programme(id) on delete cascade,
  code text not null check (length(code) between 1 and 20),
  titre text not null,
  rang integer not null default 0,
  primary key (programme_id, code)
);

create table plh_action (
  programme_id uuid not null references plh_programme(id) on delete cascade,
  code text not null check (length(code) between 1 and 20),
  orientation_code text not null,
  titre text not null,
  pilote text not null default '',
  partenaires text not null default '',
  statut text not null default 'a_engager' check (statut in ('a_engager', 'en_cours', 'realisee', 'abandonnee')),
  -- Free text indicators as written in the PLH, and an optional link to a figure the platform computes.
  indicateurs text not null default '',
  indicateur_categorie text check (indicateur_categorie in ('logements', 'logements_sociaux', 'accession_aidee', 'renovation', 'hebergement')),
  commentaire text not null default '',
  rang integer not null default 0,
  primary key (programme_id, code),
  foreign key (programme_id, orientation_code) references plh_orientation(programme_id, code) on delete cascade
);

create table plh_action_budget (
  programme_id uuid not null,
  action_code text not null,
  annee integer not null check (annee between 2000 and 2100),
  prevu_euros numeric not null default 0 check (prevu_euros >= 0),
  depense_euros numeric not null default 0 check (depense_euros >= 0),
  primary key (programme_id, action_code, annee),
  foreign key (programme_id, action_code) references plh_action(programme_id, code) on delete cascade
);

-- Territorialised targets: a number of dwellings of a category in a commune over a period.
create table plh_objectif (
  programme_id uuid not null references plh_programme(id) on delete cascade,
  commune_code text not null references commune(code),
  categorie text not null check (categorie in ('logements', 'logements_sociaux', 'accession_aidee', 'renovation', 'hebergement')),
  annee_debut integer not null,
  annee_fin integer not null check (annee_fin >= annee_debut),
  valeur integer not null check (valeur >= 0),
  action_code text,
  primary key (programme_id, commune_code, categorie, annee_debut)
);

-- Achievements entered or imported (e.g. dwellings authorised from Sitadel), with their source.
create table plh_realisation (
  commune_code text not null references commune(code),
  categorie text not null check (categorie in ('logements', 'logements_sociaux', 'accession_aidee', 'renovation', 'hebergement')),
  annee integer not null check (annee between 2000 and 2100),
  valeur integer not null check (valeur >= 0),
  source text not null check (length(source) > 0),
  updated_at timestamptz not null default now(),
  primary key (commune_code, categorie, annee)
);

-- SRU inventory of a commune for a year (the figures of 1 January, as notified by the State).
create table plh_sru_inventaire (
  commune_code text not null references commune(code),
  annee integer not null check (annee between 2000 and 2100),
  population integer check (population >= 0),
  residences_principales integer not null check (residences_principales > 0),
  logements_sociaux integer not null check (logements_sociaux >= 0),
  taux_legal numeric not null check (taux_legal in (0.20, 0.25)),
  exemptee boolean not null default false,
  potentiel_fiscal_par_habitant numeric check (potentiel_fiscal_par_habitant >= 0),
  depenses_reelles_fonctionnement numeric check (depenses_reelles_fonctionnement >= 0),
  depenses_deductibles numeric check (depenses_deductibles >= 0),
  source text not null check (length(source) > 0),
  updated_at timestamptz not null default now(),
  primary key (commune_code, annee)
);

-- Aids the EPCI granted, per case or operation. A case reference, never a beneficiary's name.
create table plh_aide_accordee (
  id uuid primary key default gen_random_uuid(),
  reference text not null unique check (length(reference) between 1 and 60),
  type text not null check (type in ('logement_social', 'accession', 'renovation', 'gens_du_voyage', 'hebergement_urgence')),
  commune_code text not null references commune(code),
  annee integer not null check (annee between 2000 and 2100),
  montant_euros numeric not null check (montant_euros >= 0),
  nb_logements integer not null default 0 check (nb_logements >= 0),
  nb_plai integer not null default 0 check (nb_plai >= 0),
  nb_plus integer not null default 0 check (nb_plus >= 0),
  nb_pls integer not null default 0 check (nb_pls >= 0),
  gain_energetique_pct numeric check (gain_energetique_pct between 0 and 100),
  operation text not null default '',
  organisation_id uuid references organisation(id),
  action_code text,
  commentaire text not null default '',
  updated_at timestamptz not null default now()
);
create index plh_aide_commune_annee on plh_aide_accordee (commune_code, annee);

-- Land register: gisements fonciers and friches that could host housing.
create table plh_foncier (
  id uuid primary key default gen_random_uuid(),
  reference text not null unique check (length(reference) between 1 and 60),
  nature text not null check (nature in ('gisement', 'friche')),
  commune_code text not null references commune(code),
  parcelle text check (parcelle ~ '^[0-9][0-9AB][0-9]{3}[0-9]{3}[A-Z0-9]{2}[0-9]{4}$'),
  surface_m2 numeric not null check (surface_m2 > 0),
  zonage text not null default '',
  logements_potentiels integer not null default 0 check (logements_potentiels >= 0),
  statut text not null default 'identifie' check (statut in ('identifie', 'etudie', 'maitrise', 'engage', 'realise', 'abandonne')),
  longitude double precision check (longitude between -180 and 180),
  latitude double precision check (latitude between -90 and 90),
  commentaire text not null default '',
  updated_at timestamptz not null default now()
);
create index plh_foncier_commune on plh_foncier (commune_code);
