-- Foundation: members, the party's organisation, sessions, tokens, invitations.
-- Times are UTC, stored as RFC 3339 text (sqlx's `time` codec); ids are integers.

create table member (
    member_id     integer primary key,
    email         text not null unique,          -- always stored lowercased (Email::parse)
    name          text not null,
    password_hash text,                          -- null until the member sets a password
    created_at    text not null,
    disabled_at   text
);

-- Free internal functions ("secrétaire fédéral") and elected mandates ("adjoint au maire").
create table member_title (
    member_title_id integer primary key,
    member_id       integer not null references member (member_id) on delete cascade,
    kind            text not null check (kind in ('function', 'mandate')),
    label           text not null,
    position        integer not null default 0
);
create index member_title_member on member_title (member_id, position);

create table party_group (
    group_id    integer primary key,
    kind        text not null check (kind in ('national', 'federation', 'section', 'theme', 'working_group')),
    name        text not null,
    description text not null default '',
    parent_id   integer references party_group (group_id),
    visibility  text not null default 'public' check (visibility in ('public', 'members', 'group')),
    created_at  text not null
);
create index party_group_parent on party_group (parent_id);
create index party_group_kind on party_group (kind, name);

create table membership (
    member_id  integer not null references member (member_id) on delete cascade,
    group_id   integer not null references party_group (group_id) on delete cascade,
    role       text not null check (role in ('supporter', 'member', 'secretary', 'officer', 'organiser', 'admin')),
    created_at text not null,
    primary key (member_id, group_id)
);
create index membership_group on membership (group_id, role);

-- Browser sessions (tower-sessions records). member_id is copied out of the record so that
-- every session of a member can be revoked at once (password reset, disabling).
create table session (
    session_id text primary key,
    member_id  integer references member (member_id) on delete cascade,
    data       text not null,
    expires_at text not null
);
create index session_member on session (member_id);
create index session_expiry on session (expires_at);

-- API bearer tokens: only the SHA-256 of the token is kept.
create table api_token (
    api_token_id integer primary key,
    member_id    integer not null references member (member_id) on delete cascade,
    token_hash   text not null unique,
    created_at   text not null,
    expires_at   text not null,
    last_used_at text
);
create index api_token_member on api_token (member_id);

-- Single-use links sent by mail: invitations to a group and password resets.
create table invitation (
    invitation_id integer primary key,
    token_hash    text not null unique,
    email         text not null,
    group_id      integer not null references party_group (group_id) on delete cascade,
    role          text not null check (role in ('supporter', 'member', 'secretary', 'officer', 'organiser', 'admin')),
    invited_by    integer references member (member_id) on delete set null,
    created_at    text not null,
    expires_at    text not null,
    used_at       text
);

create table password_reset (
    password_reset_id integer primary key,
    token_hash        text not null unique,
    member_id         integer not null references member (member_id) on delete cascade,
    created_at        text not null,
    expires_at        text not null,
    used_at           text
);

-- Failed logins, for throttling: shared by every app server because it lives in the database.
create table login_failure (
    login_failure_id integer primary key,
    email            text not null,
    client_ip        text not null,
    failed_at        text not null
);
create index login_failure_email on login_failure (email, failed_at);
create index login_failure_ip on login_failure (client_ip, failed_at);

-- What happened, for the activity feeds and the audit trail. No secrets, no passwords.
create table audit_event (
    audit_event_id integer primary key,
    at             text not null,
    actor_id       integer references member (member_id) on delete set null,
    action         text not null,
    group_id       integer references party_group (group_id) on delete cascade,
    member_id      integer references member (member_id) on delete cascade,
    detail         text not null default ''
);
create index audit_event_group on audit_event (group_id, at);
