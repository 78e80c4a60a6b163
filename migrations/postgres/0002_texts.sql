-- Texts (programme chapters, motions, wiki pages) and their automerge documents.

create table text (
    text_id    bigint generated always as identity primary key,
    group_id   bigint not null references party_group (group_id) on delete cascade,
    kind       text not null check (kind in ('programme', 'wiki')),
    title      text not null,
    slug       text not null,
    status     text not null default 'drafting' check (status in ('drafting', 'amending', 'adopted', 'archived')),
    -- The Markdown as of the last stored change: a derived copy for lists, search and wiki links.
    -- The automerge document (doc_snapshot + doc_chunk) is the source of truth.
    markdown   text not null default '',
    created_by bigint references member (member_id) on delete set null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (group_id, slug)
);
create index text_group on text (group_id, kind, updated_at);
create index text_updated on text (updated_at);

-- The automerge document of a text: snapshots (whole saves) plus incremental chunks written
-- after them. Loading concatenates every snapshot and chunk of the text; duplicates merge.
-- Compaction inserts a snapshot and deletes exactly the rows it was made from, so two servers
-- compacting at once never lose each other's changes.
create table doc_snapshot (
    doc_snapshot_id bigint generated always as identity primary key,
    text_id         bigint not null references text (text_id) on delete cascade,
    bytes           bytea not null,
    created_at      timestamptz not null
);
create index doc_snapshot_text on doc_snapshot (text_id, doc_snapshot_id);

create table doc_chunk (
    doc_chunk_id bigint generated always as identity primary key,
    text_id      bigint not null references text (text_id) on delete cascade,
    bytes        bytea not null,
    created_at   timestamptz not null
);
create index doc_chunk_text on doc_chunk (text_id, doc_chunk_id);

-- Who changed a text and when: one row per stored batch and author (the history page). Kept
-- when chunks are compacted.
create table text_edit (
    text_edit_id bigint generated always as identity primary key,
    text_id      bigint not null references text (text_id) on delete cascade,
    author_id    bigint references member (member_id) on delete set null,
    changes      integer not null,
    heads        text not null,           -- JSON array of hex change hashes after the batch
    message      text,                    -- e.g. "Restored version 3"
    created_at   timestamptz not null
);
create index text_edit_text on text_edit (text_id, text_edit_id);

create table text_version (
    text_version_id bigint generated always as identity primary key,
    text_id         bigint not null references text (text_id) on delete cascade,
    label           text not null,
    heads           text not null,        -- JSON array of hex change hashes
    markdown        text not null,        -- the Markdown at those heads, for diffs without the document
    author_id       bigint references member (member_id) on delete set null,
    created_at      timestamptz not null
);
create index text_version_text on text_version (text_id, text_version_id);

-- Wiki links found in each text's current Markdown: the target is a group and a slug, so that a
-- link to a page not written yet is a backlink as soon as the page exists.
create table wiki_link (
    from_text_id bigint not null references text (text_id) on delete cascade,
    to_group_id  bigint not null references party_group (group_id) on delete cascade,
    to_slug      text not null,
    to_title     text not null,
    primary key (from_text_id, to_group_id, to_slug)
);
create index wiki_link_target on wiki_link (to_group_id, to_slug);
