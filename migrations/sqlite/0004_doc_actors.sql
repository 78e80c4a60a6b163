-- Who each automerge actor id of a text belongs to: the member whose change first used it, or
-- NULL for the server's own edits (restored versions). A change under an actor id bound to
-- someone else is refused (collab/actors.rs): otherwise a writer could take over another
-- member's actor id, and that member's offline edits would be refused forever (duplicate seq).
-- Actors already in a document before this table existed are bound on their next use.
create table doc_actor (
    text_id    integer not null references text (text_id) on delete cascade,
    actor      blob not null,
    member_id  integer references member (member_id) on delete set null,
    created_at text not null,
    primary key (text_id, actor)
);
