-- One naming rule (docs/decisions/0004-naming.md, issue 20): the territory's columns in English beside the
-- glossary's domain words (commune, epci, departement, region, siren). Renamed in place: every row keeps its data.
-- Numbered after every other migration so that the tests replaying older stores (which insert with `nom`) still run
-- in order; the COG's own JSON keys (`nom`, `codesPostaux`) are read as the package writes them (ingest/cog.ts).

alter table region rename column nom to name;
alter table departement rename column nom to name;
alter table epci rename column nom to name;
alter table commune rename column nom to name;
alter table commune rename column codes_postaux to postal_codes;
alter table commune_contour rename column millesime to vintage;
