-- Archived debates (issue 14, point 7): past debates loaded by `atelier import debates
-- FILE.jsonl`, public and read-only. Each import is one row of `debate_import` (its batch),
-- written with its debates and its `debates.imported` outbox event in one transaction.
create table debate_import (
    debate_import_id bigint generated always as identity primary key,
    source           text not null,             -- the file's name, as given on the command line
    imported         bigint not null,          -- debates this batch added
    duplicates       bigint not null,          -- lines already in the archives (same content)
    skipped          bigint not null,          -- invalid lines left out (--skip-invalid)
    imported_at      timestamptz not null
);

create table debate (
    debate_id        bigint generated always as identity primary key,
    -- The day it was held, 'YYYY-MM-DD' as the file dated it (local to the place): filters and
    -- order by day compare this text, which sorts as it reads.
    held_on          text not null,
    -- The moment, when the file gave a time with its offset (none: only the day is known).
    held_at          timestamptz,
    place            text not null,             -- as given (« Fédération de Paris »)
    -- The group of that exact name, when exactly one existed at import (else none).
    group_id         bigint references party_group (group_id) on delete set null,
    speaker          text not null,
    title            text not null,
    body             text not null,             -- the debate's text, plain
    url              text,
    convention       text,
    -- place and speaker lowercased without accents: the filters' substring match, the same on
    -- both backends (SQLite's lower() folds ASCII only).
    place_key        text not null,
    speaker_key      text not null,
    -- SHA-256 of the debate's fields: importing the same file again adds nothing.
    content_hash     text not null unique,
    debate_import_id bigint not null references debate_import (debate_import_id) on delete cascade,
    imported_at      timestamptz not null
);
create index debate_held_on on debate (held_on, debate_id);
create index debate_group on debate (group_id);
create index debate_batch on debate (debate_import_id);
