//! The search page's view: what was asked, one page of hits, the facets to narrow it.

use crate::FormErrors;

/// What was asked, as typed (kept in the form and in every link of the page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFiltersView {
    pub q: String,
    pub kind: String,
    pub theme: String,
    pub place: String,
    pub status: String,
    pub convention: String,
    pub from: String,
    pub to: String,
    /// `relevance` (empty) or `date`.
    pub sort: String,
}

/// One hit.
#[derive(Debug, Clone)]
pub struct SearchHitView {
    /// Its kind's code (`paragraph`, `amendment`…).
    pub kind: String,
    pub title: String,
    /// Escaped by the index, matched words in `<mark>`.
    pub snippet_html: String,
    pub url: String,
    /// Its date, formatted.
    pub date: Option<String>,
    /// Its status's code.
    pub status: Option<String>,
    pub author: Option<String>,
}

/// One value of a facet: the filter it sets, what it shows, how many hits it holds.
#[derive(Debug, Clone)]
pub struct FacetValueView {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub selected: bool,
    /// Depth in the places' tree (0 elsewhere).
    pub depth: usize,
}

/// A facet: the query's field it filters (`kind`, `theme`…) and its values.
#[derive(Debug, Clone)]
pub struct FacetView {
    pub field: &'static str,
    pub values: Vec<FacetValueView>,
}

/// `/search`.
#[derive(Debug, Clone, Default)]
pub struct SearchView {
    pub filters: SearchFiltersView,
    pub errors: FormErrors,
    /// Something was asked (a query, or filters): otherwise the page only offers the box.
    pub asked: bool,
    /// The index is being rebuilt: nothing can be answered for a few seconds.
    pub rebuilding: bool,
    pub total: usize,
    pub page: u32,
    pub pages: u32,
    pub hits: Vec<SearchHitView>,
    pub facets: Vec<FacetView>,
    /// How the query was read, when it differs from what was typed.
    pub reading: Option<String>,
    /// What to tell about the query (an unknown field, an unclosed quote…).
    pub notices: Vec<String>,
}

/// A document like another, from elsewhere (« On en parle aussi ailleurs »).
#[derive(Debug, Clone)]
pub struct RelatedWorkView {
    /// Its kind's code (`paragraph`, `amendment`, `debate`).
    pub kind: String,
    pub title: String,
    /// Escaped by the index.
    pub snippet_html: String,
    pub url: String,
}
