-- Merging amendments (issue 13): of two adopted amendments whose passages overlap, the organiser
-- may keep one; the other stays adopted (the convention's vote is not rewritten) but is
-- superseded by the one merged, as Antragsgrün's « obsolète du fait d'un autre amendement ».
-- Set in the transaction that merges the one kept (store/amendments.rs, `Merging`).
alter table amendment add column superseded_by bigint references amendment (amendment_id) on delete set null;
