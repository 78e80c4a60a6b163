-- Organisers' weekly work (issue 11, point 5): a pending invitation can be withdrawn by the
-- group's managers ('revoked') or replaced by a new link when it is sent again ('resent'); the
-- old link then says which, instead of the 404 of an unknown link.
alter table invitation add column withdrawn_at text;
alter table invitation add column withdrawn_reason text check (withdrawn_reason in ('revoked', 'resent'));
-- The management page lists a group's pending invitations, newest first.
create index invitation_group on invitation (group_id, created_at);
-- The administrators' list of accounts is ordered by name.
create index member_name on member (name, member_id);
