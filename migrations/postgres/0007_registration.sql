-- Registrations waiting for their address to be confirmed (issue 10, point 5): with open
-- registration the account is created only when the mailed single-use link is used, so that the
-- registration form answers the same whether the address already has an account or not.
create table registration (
    registration_id bigint generated always as identity primary key,
    token_hash      text not null unique,
    email           text not null,
    name            text not null,
    password_hash   text not null,
    created_at      timestamptz not null,
    expires_at      timestamptz not null,
    used_at         timestamptz
);
