//! The records of the open-data files, their columns, and what each column means (the data
//! dictionary is written from the same table as the CSV headers, so the two cannot disagree).

use serde::Serialize;

/// A column of a file: its name (the JSON field and the CSV header), its type, what it means,
/// and an example value.
pub struct Column {
    pub name: &'static str,
    pub kind: &'static str,
    pub meaning: &'static str,
    pub example: &'static str,
}

const fn col(
    name: &'static str,
    kind: &'static str,
    meaning: &'static str,
    example: &'static str,
) -> Column {
    Column {
        name,
        kind,
        meaning,
        example,
    }
}

/// A programme text or wiki page of a group anyone may see.
#[derive(Serialize)]
pub struct TextRecord {
    pub id: String,
    pub group_id: String,
    pub group_name: String,
    pub group_kind: &'static str,
    pub kind: &'static str,
    pub status: &'static str,
    pub title: String,
    pub slug: String,
    pub page: String,
    pub created_at: String,
    pub updated_at: String,
    pub markdown: String,
}

pub const TEXT_COLUMNS: &[Column] = &[
    col("id", "text (an integer)", "The text's id.", "12"),
    col(
        "group_id",
        "text (an integer)",
        "The id of the group the text belongs to.",
        "4",
    ),
    col("group_name", "text", "That group's name.", "Santé"),
    col(
        "group_kind",
        "text: national, federation, section, theme, working_group",
        "What kind of group it is.",
        "theme",
    ),
    col(
        "kind",
        "text: programme, wiki",
        "A programme text (written together, then amended) or a wiki page.",
        "programme",
    ),
    col(
        "status",
        "text: drafting, amending, adopted, archived",
        "Where the text is in its life.",
        "amending",
    ),
    col("title", "text", "The text's title.", "Santé pour tous"),
    col(
        "slug",
        "text",
        "The title as it appears in addresses.",
        "sante-pour-tous",
    ),
    col(
        "page",
        "text (a path)",
        "The text's page, relative to the site's address.",
        "/texts/12",
    ),
    col(
        "created_at",
        "text (RFC 3339 time, UTC)",
        "When the text was created.",
        "2026-01-15T09:30:00Z",
    ),
    col(
        "updated_at",
        "text (RFC 3339 time, UTC)",
        "When its metadata last changed (not every edit of its words).",
        "2026-02-01T18:02:11Z",
    ),
    col(
        "markdown",
        "text (Markdown)",
        "The text's content as stored (a text being edited at the time of the export may be a \
         few seconds behind).",
        "# Accès aux soins\\n\\nRouvrir les maternités…",
    ),
];

impl TextRecord {
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.group_id.clone(),
            self.group_name.clone(),
            self.group_kind.to_owned(),
            self.kind.to_owned(),
            self.status.to_owned(),
            self.title.clone(),
            self.slug.clone(),
            self.page.clone(),
            self.created_at.clone(),
            self.updated_at.clone(),
            self.markdown.clone(),
        ]
    }
}

/// An amendment anyone may see (never a draft) of a text in [`TextRecord`]'s files.
#[derive(Serialize)]
pub struct AmendmentRecord {
    pub id: String,
    pub text_id: String,
    pub number: i64,
    pub reference: String,
    pub status: &'static str,
    pub parent_id: Option<String>,
    pub on_behalf_of_group_id: Option<String>,
    pub on_behalf_of_group: Option<String>,
    pub supporter_count: usize,
    pub original: String,
    pub replacement: String,
    pub rationale: String,
    pub superseded_by: Option<String>,
    pub page: String,
    pub created_at: String,
    pub updated_at: String,
}

pub const AMENDMENT_COLUMNS: &[Column] = &[
    col("id", "text (an integer)", "The amendment's id.", "87"),
    col(
        "text_id",
        "text (an integer)",
        "The id of the text it amends (in texts.jsonl).",
        "12",
    ),
    col(
        "number",
        "integer",
        "Its permanent number within its text (1, 2, 3…).",
        "4",
    ),
    col(
        "reference",
        "text",
        "The passage it targets, as cited from the numbered text it was filed against.",
        "§ 3, lignes 2 à 4",
    ),
    col(
        "status",
        "text: submitted, admissible, inadmissible, voting, adopted, rejected, withdrawn, merged",
        "Where it is in its life (drafts are never exported).",
        "adopted",
    ),
    col(
        "parent_id",
        "text (an integer), empty if none",
        "For a sub-amendment, the id of the amendment it amends.",
        "",
    ),
    col(
        "on_behalf_of_group_id",
        "text (an integer), empty if none",
        "The section or federation it was filed for, when anyone may see that group.",
        "9",
    ),
    col(
        "on_behalf_of_group",
        "text, empty if none",
        "That group's name.",
        "Section de Lille-Centre",
    ),
    col(
        "supporter_count",
        "integer",
        "How many members co-signed it (their names are not published).",
        "5",
    ),
    col(
        "original",
        "text",
        "The passage it replaces, as it was when filed.",
        "dans un délai de trois ans",
    ),
    col(
        "replacement",
        "text",
        "Its current wording (empty: the passage is deleted).",
        "dans un délai d'un an",
    ),
    col(
        "rationale",
        "text",
        "Why it was filed, as its author wrote it.",
        "L'urgence sanitaire l'exige.",
    ),
    col(
        "superseded_by",
        "text (an integer), empty if none",
        "Adopted, but set aside for this other overlapping amendment, merged in its place.",
        "",
    ),
    col(
        "page",
        "text (a path)",
        "The amendment's page, relative to the site's address.",
        "/amendments/87",
    ),
    col(
        "created_at",
        "text (RFC 3339 time, UTC)",
        "When it was filed.",
        "2026-02-03T20:14:00Z",
    ),
    col(
        "updated_at",
        "text (RFC 3339 time, UTC)",
        "When it last changed (wording or status).",
        "2026-02-20T10:00:00Z",
    ),
];

impl AmendmentRecord {
    pub fn cells(&self) -> Vec<String> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            self.id.clone(),
            self.text_id.clone(),
            self.number.to_string(),
            self.reference.clone(),
            self.status.to_owned(),
            opt(&self.parent_id),
            opt(&self.on_behalf_of_group_id),
            opt(&self.on_behalf_of_group),
            self.supporter_count.to_string(),
            self.original.clone(),
            self.replacement.clone(),
            self.rationale.clone(),
            opt(&self.superseded_by),
            self.page.clone(),
            self.created_at.clone(),
            self.updated_at.clone(),
        ]
    }
}

/// An archived debate (all are public).
#[derive(Serialize)]
pub struct DebateRecord {
    pub id: String,
    pub date: String,
    pub time: Option<String>,
    pub place: String,
    pub group_id: Option<String>,
    pub group_name: Option<String>,
    pub speaker: String,
    pub title: String,
    pub text: String,
    pub url: Option<String>,
    pub convention: Option<String>,
    pub page: String,
    pub import_batch: String,
    pub imported_at: String,
}

pub const DEBATE_COLUMNS: &[Column] = &[
    col("id", "text (an integer)", "The debate's id.", "301"),
    col(
        "date",
        "text (YYYY-MM-DD)",
        "The day it was held, as the archive dated it.",
        "2019-05-12",
    ),
    col(
        "time",
        "text (RFC 3339 time, UTC), empty if unknown",
        "The moment it was held, when the archive gave one.",
        "2019-05-12T16:30:00Z",
    ),
    col(
        "place",
        "text",
        "Where it was held, as the archive named it.",
        "Fédération de Paris",
    ),
    col(
        "group_id",
        "text (an integer), empty if none",
        "The party group of exactly that name, when there was one at import and anyone may \
         see it.",
        "3",
    ),
    col(
        "group_name",
        "text, empty if none",
        "That group's name.",
        "Fédération de Paris",
    ),
    col(
        "speaker",
        "text",
        "Who spoke, as the archive named them.",
        "Louise Michel",
    ),
    col("title", "text", "The debate's title.", "Les retraites"),
    col(
        "text",
        "text (plain, paragraphs separated by blank lines)",
        "What was said, as archived.",
        "Camarades, …",
    ),
    col(
        "url",
        "text (an http or https address), empty if none",
        "Where the archive's original is.",
        "https://archives.exemple.fr/1999/42",
    ),
    col(
        "convention",
        "text, empty if none",
        "The convention it belonged to, as the archive named it.",
        "Congrès de Tours",
    ),
    col(
        "page",
        "text (a path)",
        "The debate's page, relative to the site's address.",
        "/debates/301",
    ),
    col(
        "import_batch",
        "text (an integer)",
        "The import that loaded it (one per archive file loaded).",
        "2",
    ),
    col(
        "imported_at",
        "text (RFC 3339 time, UTC)",
        "When it was loaded into Atelier.",
        "2026-03-01T12:00:00Z",
    ),
];

impl DebateRecord {
    pub fn cells(&self) -> Vec<String> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            self.id.clone(),
            self.date.clone(),
            opt(&self.time),
            self.place.clone(),
            opt(&self.group_id),
            opt(&self.group_name),
            self.speaker.clone(),
            self.title.clone(),
            self.text.clone(),
            opt(&self.url),
            opt(&self.convention),
            self.page.clone(),
            self.import_batch.clone(),
            self.imported_at.clone(),
        ]
    }
}
