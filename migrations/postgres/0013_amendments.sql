-- Amendments (issue 13): proposed on a text in `amending`, anchored through later edits
-- (collab/anchor.rs), supported, screened and, later, merged. Every write here appends its
-- outbox event in its transaction (store/amendments.rs).

-- Each text's rules for amendments; a text without a row takes the defaults (no window, no
-- minimum, no rationale required, filed by the members of the text's group).
create table amendment_rule (
    text_id            bigint primary key references text (text_id) on delete cascade,
    opens_at           timestamptz,               -- none: open as soon as the text is amending
    closes_at          timestamptz,               -- none: open until the text leaves amending
    min_supporters     bigint not null default 0,
    -- How many of those supporters must be women (parity statutes). Counted from an optional,
    -- self-declared member field that does not exist yet: stored, not enforced.
    min_women          bigint not null default 0,
    rationale_required boolean not null default false,
    filers             text not null default 'group' check (filers in ('group', 'party')),
    updated_at         timestamptz not null
);

-- The numbers of a text's amendments are taken from its row (the lock of the update holds the
-- next filer until the commit; a rollback gives the number back): gap-free per text.
alter table text add column amendments_filed bigint not null default 0;

create table amendment (
    amendment_id bigint generated always as identity primary key,
    text_id      bigint not null references text (text_id) on delete cascade,
    number       bigint not null,             -- permanent, 1, 2, 3… per text
    status       text not null default 'draft' check (status in ('draft', 'submitted', 'admissible',
                     'inadmissible', 'voting', 'adopted', 'rejected', 'withdrawn', 'merged')),
    anchor       text not null,                -- collab::Anchor's serialised form
    heads        text not null,                -- JSON array of the heads it was written against
    start_utf16  bigint not null,             -- the range at filing, in those heads' Markdown
    end_utf16    bigint not null,
    original     text not null,                -- the passage at filing
    replacement  text not null,                -- the current wording (revisions: amendment_revision)
    rationale    text not null,
    author_id    bigint references member (member_id) on delete set null,
    on_behalf_of bigint references party_group (group_id) on delete set null,
    parent_id    bigint references amendment (amendment_id) on delete cascade,
    -- « § paragraph, lignes first_line à last_line » of the numbered view at filing: never changed.
    paragraph    bigint not null,
    first_line   bigint not null,
    last_line    bigint not null,
    reference    text not null,
    created_at   timestamptz not null,
    updated_at   timestamptz not null,
    unique (text_id, number)
);
create index amendment_text_status on amendment (text_id, status);
create index amendment_parent on amendment (parent_id);
create index amendment_author on amendment (author_id);

-- Every wording an amendment had, the first included: kept, one row each.
create table amendment_revision (
    amendment_revision_id bigint generated always as identity primary key,
    amendment_id          bigint not null references amendment (amendment_id) on delete cascade,
    replacement           text not null,
    rationale             text not null,
    author_id             bigint references member (member_id) on delete set null,
    created_at            timestamptz not null
);
create index amendment_revision_amendment on amendment_revision (amendment_id, amendment_revision_id);

create table amendment_supporter (
    amendment_id bigint not null references amendment (amendment_id) on delete cascade,
    member_id    bigint not null references member (member_id) on delete cascade,
    created_at   timestamptz not null,
    primary key (amendment_id, member_id)
);
create index amendment_supporter_member on amendment_supporter (member_id);

create table amendment_status_change (
    amendment_status_change_id bigint generated always as identity primary key,
    amendment_id               bigint not null references amendment (amendment_id) on delete cascade,
    from_status                text,           -- none for the filing
    to_status                  text not null,
    actor_id                   bigint references member (member_id) on delete set null,
    reason                     text,
    created_at                 timestamptz not null
);
create index amendment_status_change_amendment on amendment_status_change (amendment_id, amendment_status_change_id);
