-- Sub-amendments (issue 13): an amendment to a submitted amendment's replacement has its
-- `parent_id` (0013) and records which revision of its parent's wording it was filed against, so
-- that a rewording of the parent since can flag it outdated; a revision written by adopting a
-- sub-amendment names it (the others are their author's).
alter table amendment add column parent_revision_id bigint references amendment_revision (amendment_revision_id) on delete set null;
alter table amendment_revision add column from_amendment_id bigint references amendment (amendment_id) on delete set null;
