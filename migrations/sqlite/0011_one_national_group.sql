-- One national group, the root of the tree. `Db::ensure_national_group` runs when a server
-- starts; on PostgreSQL, two servers starting at once each read "none" in their own transaction
-- and both inserted one (the store suite's concurrent case). The index makes the second insert
-- do nothing; both then read the same group.
create unique index party_group_one_national on party_group (kind) where kind = 'national';
