-- What another process (the command line) changed, for the server running on the same SQLite
-- file, which reads new rows every second (store/listen.rs). PostgreSQL servers hear the same
-- announcements through NOTIFY; the table is there too so that both schemas keep one shape.
create table change_announcement (
    change_announcement_id bigserial primary key,
    payload    text not null,
    created_at timestamptz not null
);
