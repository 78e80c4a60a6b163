//! What the debates' list page and `GET /api/v1/debates` share: the filters read from the query
//! string (each bad one named, with a sentence in the page's language), one page of the
//! debates, and which groups a debate may be shown placed in.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use time::Date;
use time::macros::format_description;
use utoipa::IntoParams;

use atelier_templates::{self as tpl, Lang};

use crate::app::App;
use crate::archives::MAX_FIELD_CHARS;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::GroupId;
use crate::organisation;
use crate::store::{DebateFilter, DebateSummary, GroupRow};

/// Debates a page.
pub const PAGE_SIZE: i64 = 20;
/// The last page one may ask for (deeper, narrow the filters).
pub const LAST_PAGE: u32 = 10_000;

/// Every parameter is read as text and checked here, so that a bad one gets a sentence naming
/// it rather than the framework's rejection.
#[derive(Deserialize, IntoParams, Default, Clone)]
pub struct DebatesQuery {
    /// Part of the place's name (« Paris », « Lyon 3e »); case, accents and punctuation do not
    /// matter.
    pub place: Option<String>,
    /// Part of the speaker's name; case, accents and punctuation do not matter.
    pub speaker: Option<String>,
    /// Held on this day or after (2019-05-12).
    pub from: Option<String>,
    /// Held on this day or before (2019-05-12).
    pub to: Option<String>,
    /// Only debates placed in this group or a group below it (its id).
    pub group: Option<String>,
    /// The page, from 1 (20 debates a page).
    pub page: Option<String>,
}

/// The filters once checked.
pub struct Filters {
    pub place: Option<String>,
    pub speaker: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub group: Option<GroupId>,
    pub page: u32,
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn parse_day(raw: &str) -> Option<Date> {
    Date::parse(raw, format_description!("[year]-[month]-[day]")).ok()
}

/// Checks the query: every bad parameter with its sentence (422).
pub fn parse(
    query: &DebatesQuery,
    lang: Lang,
    visible: &HashSet<GroupId>,
) -> Result<Filters, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut refuse = |field: &str, key: &str| {
        errors
            .entry(field.to_owned())
            .or_insert_with(|| tpl::t(lang, key));
    };
    let mut text = |field: &str, raw: &Option<String>| {
        let value = non_empty(raw)?;
        if value.chars().count() > MAX_FIELD_CHARS || value.contains('\0') {
            refuse(field, "archives.error_too_long");
            return None;
        }
        Some(value.to_owned())
    };
    let place = text("place", &query.place);
    let speaker = text("speaker", &query.speaker);
    let mut day = |field: &str, raw: &Option<String>| {
        let raw = non_empty(raw)?;
        let day = parse_day(raw);
        if day.is_none() {
            refuse(field, "archives.error_date");
        }
        day
    };
    let from = day("from", &query.from);
    let to = day("to", &query.to);
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        refuse("to", "archives.error_range");
    }
    // A group nobody may see is refused as one that does not exist.
    let group = non_empty(&query.group).and_then(|raw| {
        let id = raw
            .parse::<GroupId>()
            .ok()
            .filter(|id| visible.contains(id));
        if id.is_none() {
            refuse("group", "archives.error_group");
        }
        id
    });
    let page = match non_empty(&query.page) {
        None => 1,
        Some(raw) => match raw.parse::<u32>() {
            Ok(page) if (1..=LAST_PAGE).contains(&page) => page,
            _ => {
                refuse("page", "archives.error_page");
                1
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Filters {
        place,
        speaker,
        from,
        to,
        group,
        page,
    })
}

/// One page of debates, and the groups the viewer may see them placed in.
pub struct Listing {
    pub filters: Filters,
    pub rows: Vec<DebateSummary>,
    pub total: i64,
    pub pages: u32,
    pub groups: HashMap<GroupId, GroupRow>,
}

/// The groups the viewer may see, by id: a debate names its group only to them.
pub async fn visible_groups(
    app: &App,
    viewer: Option<&Viewer>,
) -> AppResult<HashMap<GroupId, GroupRow>> {
    let visible = organisation::visible_group_ids(&app.db, viewer).await?;
    Ok(app
        .db
        .all_groups()
        .await?
        .iter()
        .filter(|g| visible.contains(&g.group_id))
        .map(|g| (g.group_id, g.clone()))
        .collect())
}

/// The page of debates the query asks for; a bad query is a 422 naming its fields.
pub async fn list(
    app: &App,
    viewer: Option<&Viewer>,
    query: &DebatesQuery,
    lang: Lang,
) -> AppResult<Listing> {
    let groups = visible_groups(app, viewer).await?;
    let ids: HashSet<GroupId> = groups.keys().copied().collect();
    let filters = parse(query, lang, &ids).map_err(AppError::invalid)?;
    let filter = DebateFilter {
        place: filters.place.as_deref(),
        speaker: filters.speaker.as_deref(),
        from: filters.from,
        to: filters.to,
        group: filters.group,
    };
    let offset = i64::from(filters.page - 1) * PAGE_SIZE;
    let (rows, total) = app.db.debates(&filter, PAGE_SIZE, offset).await?;
    let pages = u32::try_from((total + PAGE_SIZE - 1) / PAGE_SIZE)
        .unwrap_or(u32::MAX)
        .max(1);
    Ok(Listing {
        filters,
        rows,
        total,
        pages,
        groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> DebatesQuery {
        let encoded = serde_urlencoded::to_string(pairs).unwrap();
        serde_urlencoded::from_str(&encoded).unwrap()
    }

    #[test]
    fn bad_filters_are_named() {
        let visible = HashSet::from([GroupId(3)]);
        let long = "x".repeat(MAX_FIELD_CHARS + 1);
        let errors = parse(
            &query(&[
                ("place", &long),
                ("from", "hier"),
                ("group", "7"),
                ("page", "0"),
            ]),
            Lang::Fr,
            &visible,
        )
        .err()
        .unwrap();
        for field in ["place", "from", "group", "page"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
        let range = parse(
            &query(&[("from", "2020-01-02"), ("to", "2020-01-01")]),
            Lang::En,
            &visible,
        )
        .err()
        .unwrap();
        assert!(range.contains_key("to"));
        for page in ["-1", "99999999999", "deux"] {
            assert!(parse(&query(&[("page", page)]), Lang::Fr, &visible).is_err());
        }
    }

    #[test]
    fn good_filters_are_kept() {
        let visible = HashSet::from([GroupId(3)]);
        let filters = parse(
            &query(&[
                ("place", " Paris "),
                ("speaker", ""),
                ("from", "2019-01-01"),
                ("to", "2019-01-01"),
                ("group", "3"),
                ("page", "2"),
            ]),
            Lang::Fr,
            &visible,
        )
        .ok()
        .unwrap();
        assert_eq!(filters.place.as_deref(), Some("Paris"));
        assert_eq!(filters.speaker, None);
        assert_eq!(filters.group, Some(GroupId(3)));
        assert_eq!(filters.page, 2);
    }
}
