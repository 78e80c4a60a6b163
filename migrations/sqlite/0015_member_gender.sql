-- Parity statutes (issue 13, point 4): a text may require a minimum of women among an
-- amendment's supporters. Whether a member is a woman is theirs to declare, optionally, on their
-- own profile: null is « ne pas préciser », the default. Private: it is never shown to anyone
-- else nor exported; only the organisers' counts of supporters read it.
alter table member add column gender text check (gender in ('woman', 'man', 'other'));
