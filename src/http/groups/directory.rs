//! A group's directory, for its members and managers: the API's list and the pages' (the
//! directory page and the management page).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use atelier_templates as tpl;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::http::views::role_view;
use crate::model::{MemberId, Role, TitleKind};
use crate::organisation::GroupContext;

#[derive(Deserialize, IntoParams)]
pub struct DirectoryQuery {
    /// Part of a name.
    pub q: Option<String>,
    /// From 1.
    pub page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct DirectoryEntryOut {
    pub member_id: MemberId,
    pub name: String,
    pub role: Role,
    pub functions: Vec<String>,
    pub mandates: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DirectoryOut {
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub members: Vec<DirectoryEntryOut>,
}

const DIRECTORY_PAGE: i64 = 50;

pub(super) async fn directory(
    app: &App,
    ctx: &GroupContext,
    query: &DirectoryQuery,
) -> AppResult<DirectoryOut> {
    if !ctx.access.can_see_directory {
        return Err(AppError::forbidden_because(
            "L'annuaire d'un groupe n'est visible que par ses membres.",
        ));
    }
    let page = query.page.unwrap_or(1).max(1);
    let (rows, total) = app
        .db
        .directory(
            ctx.group.group_id,
            query.q.as_deref().unwrap_or(""),
            DIRECTORY_PAGE,
            i64::from(page - 1) * DIRECTORY_PAGE,
        )
        .await?;
    let ids: Vec<MemberId> = rows.iter().map(|r| r.member_id).collect();
    let titles = app.db.titles_of(&ids).await?;
    let members = rows
        .into_iter()
        .map(|r| {
            let of = |kind| {
                titles
                    .iter()
                    .filter(|t| t.member_id == r.member_id && t.kind == kind)
                    .map(|t| t.label.clone())
                    .collect()
            };
            DirectoryEntryOut {
                functions: of(TitleKind::Function),
                mandates: of(TitleKind::Mandate),
                member_id: r.member_id,
                name: r.name,
                role: r.role,
            }
        })
        .collect();
    let pages = u32::try_from((total + DIRECTORY_PAGE - 1) / DIRECTORY_PAGE)
        .unwrap_or(u32::MAX)
        .max(1);
    Ok(DirectoryOut {
        total,
        page,
        pages,
        members,
    })
}

pub fn directory_entry(entry: DirectoryEntryOut) -> tpl::DirectoryEntry {
    tpl::DirectoryEntry {
        member_id: entry.member_id.to_string(),
        name: entry.name,
        role: role_view(entry.role),
        functions: entry.functions,
        mandates: entry.mandates,
    }
}
