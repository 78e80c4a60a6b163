-- Who may see a member's profile, as the member chose (issue 10, point 5): 'groups' (those who
-- share a group with them, the default) or 'party' (every party member).
alter table member add column profile_visibility text not null default 'groups'
    check (profile_visibility in ('groups', 'party'));
