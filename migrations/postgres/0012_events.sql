-- The outbox (issue 12): every write that later capabilities follow (search, notifications,
-- feeds, a convention's audit) appends an event in its own transaction. Positions are gap-free
-- and become visible in order: they come from the one row of `event_counter`, bumped in the
-- writing transaction (whose row lock, on PostgreSQL, holds the next writer until the commit;
-- a rollback gives the number back). No foreign keys: an event records what happened, and
-- outlives the text, group or member it names.
create table event_counter (
    event_counter_id bigint primary key check (event_counter_id = 1),
    last_position    bigint not null
);
insert into event_counter (event_counter_id, last_position) values (1, 0);

create table event (
    position  bigint primary key,
    kind      text not null,             -- dotted: 'text.created', 'text.edited', …
    text_id   bigint,
    group_id  bigint,
    member_id bigint,                    -- the member the event is about, if any
    actor_id  bigint,                    -- who did it (none: the server, the command line)
    at        timestamptz not null,
    payload   text not null              -- a small JSON object
);

-- Where each once-per-cluster consumer (mail, say) has got to, and which server runs it: the
-- holder keeps the lease by renewing it; a server that dies loses it at `lease_until` (Unix
-- milliseconds, compared exactly on both backends). Per-server consumers keep their position
-- with their own state (an index in its commit).
create table consumer_position (
    consumer    text not null primary key, -- not null: SQLite would take NULL in a text key
    position    bigint not null,
    holder      text,
    lease_until bigint not null default 0,
    updated_at  timestamptz not null
);

-- Edits are coalesced (collab/edit_events.rs): a batch stored soon after the text's last
-- `text.edited` event marks the text as owing one instead, in its transaction, and the owed
-- event is appended after the burst (or, after a crash, by any server's sweep).
alter table text add column edit_event_owed boolean not null default false;
create index text_edit_event_owed on text (text_id) where edit_event_owed;
