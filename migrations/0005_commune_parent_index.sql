-- A commune's arrondissements are found by their parent: without an index, each look-up of a commune (its page, its
-- portrait) read the whole commune table (≈ 5 ms on the demo's COG, measured for issue 16 §1).
create index commune_parent on commune (parent_code) where parent_code is not null;
