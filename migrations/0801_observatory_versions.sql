-- Observatory: one change counter per source the portrait reads from the store (issue 16 §1, decision 0007). A
-- portrait is kept as the bytes sent, keyed on these counters (and on the lake's manifests); a write to a source's
-- tables bumps its counter in the same transaction, so a reader that sees the new counter sees the new rows too (read
-- the counter first, then the data). Statement-level triggers: one bump per statement, not per row (an import of
-- 50 000 lines bumps once per batch); through the statement's transition table, a statement that changed no row (the
-- daily purge finding nothing) bumps nothing. The counter row is locked until the writer commits: writers of one
-- source queue on it, which these sources (imports, agents' edits) afford. Departure from « no module touches
-- another's tables »: the triggers are declared here, they only count; docs/modules.md says so.
create table observatory_source_version (
  source text primary key,
  version bigint not null default 0
);

create function observatory_bump_version() returns trigger language plpgsql as $$
begin
  -- A TRUNCATE has no transition table; the query below is prepared only when it runs.
  if tg_op <> 'TRUNCATE' then
    if not exists (select 1 from changed) then
      return null;
    end if;
  end if;
  insert into observatory_source_version (source, version) values (tg_argv[0], 1)
    on conflict (source) do update set version = observatory_source_version.version + 1;
  return null;
end;
$$;

-- A transition table is allowed on a trigger of one event only: three triggers per table, and one for TRUNCATE.
do $$
declare
  t record;
begin
  for t in
    select * from (values
      ('construction_programme', 'construction'), ('construction_target', 'construction'), ('construction_import', 'construction'),
      ('demand', 'demand'), ('demand_attribution', 'demand'),
      ('plh_sru_inventory', 'plh'), ('plh_programme', 'plh'), ('plh_aid', 'plh'),
      ('stock_dpe_import', 'dpe'),
      ('observatory_insee_edition', 'insee'), ('observatory_insee_figure', 'insee'),
      ('commune', 'territory'), ('epci', 'territory'), ('instance_epci', 'territory')
    ) as v (tbl, source)
  loop
    execute format('create trigger observatory_version_insert after insert on %I referencing new table as changed for each statement execute function observatory_bump_version(%L)', t.tbl, t.source);
    execute format('create trigger observatory_version_update after update on %I referencing new table as changed for each statement execute function observatory_bump_version(%L)', t.tbl, t.source);
    execute format('create trigger observatory_version_delete after delete on %I referencing old table as changed for each statement execute function observatory_bump_version(%L)', t.tbl, t.source);
    execute format('create trigger observatory_version_truncate after truncate on %I for each statement execute function observatory_bump_version(%L)', t.tbl, t.source);
  end loop;
end;
$$;
