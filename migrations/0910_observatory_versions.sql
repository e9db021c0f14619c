-- Observatory: one change counter per source the portrait reads from the store (issue 16 §1). A portrait is kept as
-- the bytes sent, keyed on these counters (and on the lake's manifests); a write to a source's tables bumps its
-- counter in the same transaction, so a reader that sees the new counter sees the new rows too (read the counter
-- first, then the data). Statement-level triggers: one bump per statement, not per row (an import of 50 000 lines
-- bumps once per batch). The counter row is locked until the writer commits: writers of one source queue on it, which
-- these sources (imports, agents' edits) afford. Departure from « no module touches another's tables »: the
-- triggers are declared here, they only count; docs/modules.md says so.
create table observatory_source_version (
  source text primary key,
  version bigint not null default 0
);

create function observatory_bump_version() returns trigger language plpgsql as $$
begin
  insert into observatory_source_version (source, version) values (tg_argv[0], 1)
    on conflict (source) do update set version = observatory_source_version.version + 1;
  return null;
end;
$$;

create trigger observatory_version after insert or update or delete or truncate on construction_programme for each statement execute function observatory_bump_version('construction');
create trigger observatory_version after insert or update or delete or truncate on construction_target for each statement execute function observatory_bump_version('construction');
create trigger observatory_version after insert or update or delete or truncate on construction_import for each statement execute function observatory_bump_version('construction');
create trigger observatory_version after insert or update or delete or truncate on demand for each statement execute function observatory_bump_version('demand');
create trigger observatory_version after insert or update or delete or truncate on demand_attribution for each statement execute function observatory_bump_version('demand');
create trigger observatory_version after insert or update or delete or truncate on plh_sru_inventory for each statement execute function observatory_bump_version('plh');
create trigger observatory_version after insert or update or delete or truncate on plh_programme for each statement execute function observatory_bump_version('plh');
create trigger observatory_version after insert or update or delete or truncate on plh_aid for each statement execute function observatory_bump_version('plh');
create trigger observatory_version after insert or update or delete or truncate on stock_dpe_import for each statement execute function observatory_bump_version('dpe');
create trigger observatory_version after insert or update or delete or truncate on observatory_insee_edition for each statement execute function observatory_bump_version('insee');
create trigger observatory_version after insert or update or delete or truncate on observatory_insee_figure for each statement execute function observatory_bump_version('insee');
create trigger observatory_version after insert or update or delete or truncate on commune for each statement execute function observatory_bump_version('territory');
create trigger observatory_version after insert or update or delete or truncate on epci for each statement execute function observatory_bump_version('territory');
create trigger observatory_version after insert or update or delete or truncate on instance_epci for each statement execute function observatory_bump_version('territory');
