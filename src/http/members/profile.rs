//! A member's profile as the API and the pages both show and change it: titles (functions and
//! mandates), what a viewer may see of it, and the update of one's own.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::App;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::model::{DisplayName, Gender, MemberId, ProfileVisibility, TitleKind};
use crate::organisation;

pub(super) async fn titles(app: &App, member: MemberId) -> AppResult<(Vec<String>, Vec<String>)> {
    let rows = app.db.titles_of(&[member]).await?;
    let pick = |kind| {
        rows.iter()
            .filter(|t| t.kind == kind)
            .map(|t| t.label.clone())
            .collect()
    };
    Ok((pick(TitleKind::Function), pick(TitleKind::Mandate)))
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileUpdate {
    pub name: Option<String>,
    /// Internal functions, e.g. "secrétaire fédéral"; replaces the list.
    pub functions: Option<Vec<String>>,
    /// Elected mandates, e.g. "adjointe au maire de Lille"; replaces the list.
    pub mandates: Option<Vec<String>>,
    /// `groups` (those who share a group with the member) or `party` (every party member).
    pub profile_visibility: Option<String>,
    /// Optional and private: `woman`, `man`, `other`, or null (« ne pas préciser ») to withdraw
    /// it; absent leaves it as it is. Never shown to anyone else: only the counts of women among
    /// an amendment's supporters use it (parity statutes).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub gender: Option<Option<String>>,
}

/// A field that may be absent (`None`: unchanged) or null (`Some(None)`: withdrawn).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// The declared gender: empty is « ne pas préciser » (none).
pub(super) fn parse_gender(code: Option<&str>) -> AppResult<Option<Gender>> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(code) => Gender::parse(code).map(Some).ok_or_else(|| {
            AppError::invalid_field(
                "gender",
                "Le genre est woman, man, other, ou vide (ne pas préciser).",
            )
        }),
    }
}

fn parse_titles(
    functions: &[String],
    mandates: &[String],
) -> Result<Vec<(TitleKind, String)>, AppError> {
    let mut titles = Vec::new();
    for (kind, labels, field) in [
        (TitleKind::Function, functions, "functions"),
        (TitleKind::Mandate, mandates, "mandates"),
    ] {
        for label in labels
            .iter()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
        {
            if label.chars().count() > 160 {
                return Err(AppError::invalid_field(
                    field,
                    "Chaque intitulé tient en 160 caractères au plus.",
                ));
            }
            titles.push((kind, label));
        }
    }
    if titles.len() > 40 {
        return Err(AppError::invalid_field(
            "functions",
            "Quarante intitulés au plus.",
        ));
    }
    Ok(titles)
}

pub(super) async fn apply_profile_update(
    app: &App,
    viewer: &Viewer,
    update: ProfileUpdate,
) -> AppResult<()> {
    let name = update
        .name
        .as_deref()
        .map(DisplayName::parse)
        .transpose()
        .map_err(|e| AppError::invalid_field("name", e.to_string()))?;
    let visibility = update
        .profile_visibility
        .as_deref()
        .map(|v| {
            ProfileVisibility::parse(v).ok_or_else(|| {
                AppError::invalid_field(
                    "profile_visibility",
                    "La visibilité du profil doit être groups ou party.",
                )
            })
        })
        .transpose()?;
    let gender = update
        .gender
        .as_ref()
        .map(|g| parse_gender(g.as_deref()))
        .transpose()?;
    // Every field is checked before anything is written: a refused form changes nothing.
    let titles_update = if update.functions.is_some() || update.mandates.is_some() {
        let (old_functions, old_mandates) = titles(app, viewer.member_id).await?;
        let functions = update.functions.unwrap_or(old_functions);
        let mandates = update.mandates.unwrap_or(old_mandates);
        Some(parse_titles(&functions, &mandates)?)
    } else {
        None
    };
    if let Some(visibility) = visibility {
        app.db
            .set_profile_visibility(viewer.member_id, visibility)
            .await?;
    }
    if let Some(name) = name {
        app.db
            .set_member_name(viewer.member_id, name.as_str())
            .await?;
    }
    // Always the viewer's own: no route sets another member's.
    if let Some(gender) = gender {
        app.db.set_member_gender(viewer.member_id, gender).await?;
    }
    if let Some(titles) = titles_update {
        app.db.set_titles(viewer.member_id, &titles).await?;
    }
    Ok(())
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    pub id: MemberId,
    pub name: String,
    /// Only for the member themselves and administrators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub functions: Vec<String>,
    pub mandates: Vec<String>,
}

/// Profiles are for signed-in people who share a group with the member, or as the member chose
/// (`auth::permissions::can_see_profile`); a hidden one is a 404 like an unknown id.
pub(super) async fn load_profile(
    app: &App,
    viewer: &Viewer,
    id: MemberId,
) -> AppResult<(MemberOut, crate::store::MemberRow)> {
    let row = organisation::visible_member(&app.db, viewer, id).await?;
    let (functions, mandates) = titles(app, id).await?;
    let email = (viewer.member_id == id || viewer.is_admin()).then(|| row.email.clone());
    Ok((
        MemberOut {
            id,
            name: row.name.clone(),
            email,
            functions,
            mandates,
        },
        row,
    ))
}
