-- When a member was last seen, to show what changed since their previous visit (issue 11,
-- point 4). `last_seen_at` is the latest moment seen (written when the home page is shown, at
-- most every few minutes: `store::visits`); `previous_visit_at` is when the visit before the
-- current one ended. Both null until the member's first visit.
alter table member add column last_seen_at timestamptz;
alter table member add column previous_visit_at timestamptz;
