-- Browser sessions keep only the SHA-256 of their id, as API tokens do: a copied row or a
-- backup signs nobody in. Sessions stored before this migration held their ids in clear and
-- are dropped with the table: everyone signs in again once.
drop table session;
create table session (
    session_hash text primary key,
    member_id    integer references member (member_id) on delete cascade,
    data         text not null,
    expires_at   text not null
);
create index session_member on session (member_id);
create index session_expiry on session (expires_at);

-- Sign-in throttling now lives in each server's memory (accounts/throttle.rs).
drop table login_failure;
