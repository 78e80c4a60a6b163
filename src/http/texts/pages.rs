//! The pages of a text: reading view, live editor, numbered lines, exports; new texts and
//! imports; wiki page addresses and a group's recent changes. History, versions and diffs are
//! in `history.rs`.

use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use crate::app::App;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::http::extract::FormData;
use crate::http::page::{Page, flash, html, html_with_status, see_other};
use crate::http::paths::{GroupPath, TextPath, VersionPath, WikiSlugPath};
use crate::http::views::{self, header_view};
use crate::markup::{self, RenderOptions};
use crate::model::{GroupId, TextId, TextStatus};
use crate::organisation;
use crate::text::wiki::{self, Resolver};
use crate::text::{self, NewTextInput, TextContext};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_text))
        .routes(routes!(show_editor))
        .routes(routes!(show_lines))
        .routes(routes!(export_markdown))
        .routes(routes!(export_html))
        .routes(routes!(submit_status))
        .routes(routes!(submit_restore))
        .routes(routes!(show_new_text, submit_new_text))
        .routes(routes!(submit_import))
        .routes(routes!(show_wiki_page))
        .routes(routes!(show_group_changes))
}

/// The numbered-lines view of a text.
async fn render_numbered(app: &App, ctx: &TextContext, source: &str) -> AppResult<String> {
    let resolver =
        Resolver::for_markdown(&app.db, ctx.viewer.as_ref(), ctx.text.group_id, source).await?;
    let source = source.to_owned();
    tokio::task::spawn_blocking(move || {
        let resolve = |target: &markup::WikiTarget| resolver.resolve(target);
        markup::render_numbered(&source, &options(&resolve))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

fn options<'a>(
    resolve: &'a dyn Fn(&markup::WikiTarget) -> markup::WikiResolution,
) -> RenderOptions<'a> {
    RenderOptions {
        resolve_wiki: resolve,
        line_width: markup::DEFAULT_LINE_WIDTH,
    }
}

fn link_views(texts: Vec<crate::store::TextSummary>) -> Vec<tpl::TextLinkView> {
    texts
        .into_iter()
        .map(|t| tpl::TextLinkView {
            id: t.text_id.to_string(),
            title: t.title,
            group_name: t.group_name,
        })
        .collect()
}

pub(super) async fn load(app: &App, page: &Page, id: TextId) -> AppResult<TextContext> {
    text::load_text(&app.db, page.viewer.as_ref(), id).await
}

/// The reading view.
#[utoipa::path(get, path = "/texts/{id}", tag = "pages", params(("id" = String, Path, description = "Text id")),
    responses((status = 200, description = "HTML page"), (status = 404, description = "No such text")))]
async fn show_text(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
) -> AppResult<Response> {
    let mut ctx = load(&app, &page, id).await?;
    let current = app
        .hub
        .read(ctx.text.text_id, None)
        .await
        .map_err(text::hub_error)?;
    let rendering = app.renders.render(&app.db, &ctx, &current).await?;
    let rendered = rendering.rendered.clone();
    // The page's other reads side by side: the texts linking here, the related work elsewhere
    // (on the blocking pool; never an error: the page goes without it), the amendments' counts.
    let related = super::related::of_text(&ctx, &rendered);
    let amending = ctx.text.status != TextStatus::Drafting;
    let (backlinks, related, overview) = tokio::join!(
        wiki::backlinks(
            &app.db,
            page.viewer.as_ref(),
            ctx.text.group_id,
            &ctx.text.slug,
        ),
        crate::http::related::work(&app, related),
        async {
            if amending {
                Some(app.amendments.overview(&app.db, id).await)
            } else {
                None
            }
        },
    );
    let backlinks = backlinks?;
    // Under the page's `<h1>` (the title): the text's outermost headings become `<h2>`.
    let mut body_html = None;
    let mut amend = None;
    // Past drafting, the margins count each paragraph's amendments (those the reader may see),
    // and who may file now gets the paragraph-level controls (the no-JavaScript path).
    if let Some(overview) = overview {
        let overview = overview?;
        let rules = overview.rules.clone();
        let amendable = crate::amendments::AmendableText {
            rights: crate::auth::AmendmentRights::on_text(
                page.viewer.as_ref(),
                &ctx.group.access,
                rules.filers,
            ),
            rules,
            text: ctx,
        };
        let mut counts = std::collections::BTreeMap::new();
        for group in &overview.counts {
            if crate::auth::AmendmentRights::may_see(
                page.viewer.as_ref(),
                group.draft_author,
                group.status,
            ) {
                *counts
                    .entry(usize::try_from(group.paragraph).unwrap_or(0))
                    .or_insert(0) += usize::try_from(group.count).unwrap_or(0);
            }
        }
        let text_id = amendable.text.text.text_id.to_string();
        let can_file = amendable.rights.can_file
            && crate::amendments::closed_because(&amendable, crate::store::now()).is_none();
        let margins = super::amend_links::Margins {
            lang: page.lang(),
            text: &text_id,
            can_file,
            counts: &counts,
        };
        // The same for every reader with the same rights and counts: made once.
        let inputs = (page.lang().code(), can_file, &counts);
        body_html = Some(app.renders.decorated(&rendering, inputs, |rendered| {
            let nested = markup::nest_headings(&rendered.html, 1);
            super::amend_links::with_margins(&margins, &nested, &rendered.paragraphs)
        }));
        amend = can_file.then(|| tpl::AmendInPlaceView {
            heads: crate::collab::doc::heads_to_strings(&current.heads).join(","),
            rationale_required: amendable.rules.rationale_required,
        });
        ctx = amendable.text;
    }
    let body_html = body_html.unwrap_or_else(|| {
        app.renders.decorated(&rendering, "nested", |rendered| {
            markup::nest_headings(&rendered.html, 1)
        })
    });
    // The body is sent from the kept copy (`shared_body`): only the page around it is made.
    let empty = body_html.trim().is_empty();
    let view = tpl::TextReadView {
        header: header_view(&ctx),
        body_html: if empty {
            String::new()
        } else {
            crate::http::shared_body::SHARED_PART.to_owned()
        },
        toc: rendered
            .toc
            .iter()
            .map(|e| tpl::TocEntryView {
                level: e.level,
                text: e.text.clone(),
                anchor: e.anchor.clone(),
            })
            .collect(),
        backlinks: link_views(backlinks),
        amend,
        related,
    };
    Ok(crate::http::shared_body::html_around(
        tpl::text_page(&page.ctx, &view),
        body_html,
    ))
}

/// The live editor (read-only for those who may not write).
#[utoipa::path(get, path = "/texts/{id}/edit", tag = "pages", params(("id" = String, Path, description = "Text id")),
    responses((status = 200, description = "HTML page"), (status = 404, description = "No such text")))]
async fn show_editor(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
) -> AppResult<Response> {
    if page.viewer.is_none() {
        return Err(AppError::Unauthorized);
    }
    let ctx = load(&app, &page, id).await?;
    let view = tpl::TextEditView {
        header: header_view(&ctx),
        readonly: !ctx.can_write,
        sync_url: format!("/api/v1/texts/{}/sync", ctx.text.text_id),
        write_bar: ctx
            .write_bar
            .map(|bar| views::write_bar_view(bar, ctx.group.group.kind)),
    };
    Ok(html(tpl::text_edit_page(&page.ctx, &view)))
}

/// Numbered paragraphs and lines, to cite "paragraph 12, line 3".
#[utoipa::path(get, path = "/texts/{id}/lines", tag = "pages", params(("id" = String, Path, description = "Text id")),
    responses((status = 200, description = "HTML page"), (status = 404, description = "No such text")))]
async fn show_lines(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
) -> AppResult<Response> {
    let ctx = load(&app, &page, id).await?;
    let current = app
        .hub
        .read(ctx.text.text_id, None)
        .await
        .map_err(text::hub_error)?;
    let numbered = render_numbered(&app, &ctx, &current.markdown).await?;
    let view = tpl::TextLinesView {
        header: header_view(&ctx),
        numbered_html: numbered,
    };
    Ok(html(tpl::text_lines_page(&page.ctx, &view)))
}

fn attachment(text: &TextContext, extension: &str) -> String {
    crate::http::download::attachment(&text.text.slug, extension)
}

/// The Markdown source, as a file.
#[utoipa::path(get, path = "/texts/{id}/export.md", tag = "pages", params(("id" = String, Path, description = "Text id")),
    responses((status = 200, description = "text/markdown"), (status = 404, description = "No such text")))]
async fn export_markdown(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
) -> AppResult<Response> {
    let ctx = load(&app, &page, id).await?;
    let current = app
        .hub
        .read(ctx.text.text_id, None)
        .await
        .map_err(text::hub_error)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, attachment(&ctx, "md")),
        ],
        current.markdown.to_string(),
    )
        .into_response())
}

/// A standalone HTML file of the text (sanitised, no script).
#[utoipa::path(get, path = "/texts/{id}/export.html", tag = "pages", params(("id" = String, Path, description = "Text id")),
    responses((status = 200, description = "text/html"), (status = 404, description = "No such text")))]
async fn export_html(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
) -> AppResult<Response> {
    let ctx = load(&app, &page, id).await?;
    let current = app
        .hub
        .read(ctx.text.text_id, None)
        .await
        .map_err(text::hub_error)?;
    let rendered = app.renders.render(&app.db, &ctx, &current).await?.rendered;
    let document = maud::html! {
        (maud::DOCTYPE)
        html lang=(page.lang().code()) {
            head {
                meta charset="utf-8";
                title { (ctx.text.title) }
            }
            body { (maud::PreEscaped(&rendered.html)) }
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, attachment(&ctx, "html")),
        ],
        document.into_string(),
    )
        .into_response())
}

#[derive(Deserialize)]
struct StatusForm {
    status: String,
}

#[utoipa::path(post, path = "/texts/{id}/status", tag = "pages", params(("id" = String, Path, description = "Text id")),
    responses((status = 303, description = "Back to the text"), (status = 403, description = "Not an organiser")))]
async fn submit_status(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
    FormData(form): FormData<StatusForm>,
) -> AppResult<Response> {
    page.require_viewer()?;
    let ctx = load(&app, &page, id).await?;
    let status =
        TextStatus::parse(&form.status).ok_or_else(|| AppError::bad_request("Statut inconnu."))?;
    text::set_status(&app.db, &ctx, status).await?;
    flash(&page.session, tpl::t(page.lang(), "flash.status_changed")).await?;
    Ok(see_other(&format!("/texts/{}", ctx.text.text_id)))
}

#[utoipa::path(post, path = "/texts/{id}/versions/{version}/restore", tag = "pages",
    params(("id" = String, Path, description = "Text id"), ("version" = String, Path, description = "Version id")),
    responses((status = 303, description = "Back to the text"), (status = 403, description = "Not allowed to write")))]
async fn submit_restore(
    State(app): State<App>,
    page: Page,
    TextPath(id): TextPath,
    VersionPath(version_id): VersionPath,
) -> AppResult<Response> {
    let viewer = page.require_viewer()?;
    let ctx = load(&app, &page, id).await?;
    let version = app
        .db
        .version(ctx.text.text_id, version_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    text::restore_version(&app.hub, viewer, &ctx, &version).await?;
    flash(&page.session, tpl::t(page.lang(), "flash.version_restored")).await?;
    Ok(see_other(&format!("/texts/{}", ctx.text.text_id)))
}

#[derive(Deserialize, IntoParams, Default)]
pub struct NewTextParams {
    /// programme or wiki
    kind: Option<String>,
    /// A title to start with (a wiki link to a missing page).
    title: Option<String>,
}

fn new_text_view(
    group: &organisation::GroupContext,
    title: &str,
    kind: &str,
    template: &str,
    markdown_source: &str,
    errors: FieldErrors,
) -> tpl::NewTextView {
    tpl::NewTextView {
        group_id: group.group.group_id.to_string(),
        group_name: group.group.name.clone(),
        title: title.to_owned(),
        kind: kind.to_owned(),
        template: template.to_owned(),
        markdown: markdown_source.to_owned(),
        errors,
    }
}

async fn creatable_group(
    app: &App,
    page: &Page,
    group_id: GroupId,
) -> AppResult<organisation::GroupContext> {
    let viewer = page.require_viewer()?;
    let group = organisation::load_group(&app.db, Some(viewer), group_id).await?;
    if !text::can_create_in(viewer, &group) {
        return Err(AppError::forbidden());
    }
    Ok(group)
}

/// The form for a new text (and for importing a Markdown file).
#[utoipa::path(get, path = "/groups/{id}/texts/new", tag = "pages", params(("id" = String, Path, description = "Group id"), NewTextParams),
    responses((status = 200, description = "HTML page"), (status = 403, description = "Not a member of the group")))]
async fn show_new_text(
    State(app): State<App>,
    page: Page,
    GroupPath(id): GroupPath,
    Query(params): Query<NewTextParams>,
) -> AppResult<Response> {
    let group = creatable_group(&app, &page, id).await?;
    let kind = params.kind.unwrap_or_else(|| "programme".into());
    let template = if kind == "wiki" { "wiki" } else { "chapter" };
    let view = new_text_view(
        &group,
        params.title.as_deref().unwrap_or(""),
        &kind,
        template,
        "",
        FieldErrors::new(),
    );
    Ok(html(tpl::new_text_page(&page.ctx, &view)))
}

#[derive(Deserialize)]
struct NewTextForm {
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    template: String,
    #[serde(default)]
    markdown: String,
}

#[utoipa::path(post, path = "/groups/{id}/texts/new", tag = "pages", params(("id" = String, Path, description = "Group id")),
    responses((status = 303, description = "To the new text's editor"), (status = 422, description = "The form again, with errors")))]
async fn submit_new_text(
    State(app): State<App>,
    page: Page,
    GroupPath(id): GroupPath,
    FormData(form): FormData<NewTextForm>,
) -> AppResult<Response> {
    let group = creatable_group(&app, &page, id).await?;
    let viewer = page.require_viewer()?;
    // The template decides the kind when the form's kind is left out.
    let kind = if form.kind.is_empty() {
        text::Template::parse(&form.template)
            .map_or("programme", |t| t.kind().code())
            .to_owned()
    } else {
        form.kind.clone()
    };
    match NewTextInput::parse(
        &form.title,
        &kind,
        Some(&form.markdown),
        Some(&form.template),
    )
    .and_then(|input| input.within(app.config.doc_max_text_length))
    {
        Ok(input) => {
            let text_id = text::create_text(
                &app.db,
                Some(viewer.member_id),
                group.group.group_id,
                &input,
            )
            .await?;
            flash(&page.session, tpl::t(page.lang(), "flash.text_created")).await?;
            Ok(see_other(&format!("/texts/{text_id}/edit")))
        }
        Err(errors) => {
            let view = new_text_view(
                &group,
                &form.title,
                &kind,
                &form.template,
                &form.markdown,
                errors,
            );
            Ok(html_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                tpl::new_text_page(&page.ctx, &view),
            ))
        }
    }
}

/// Imports a `.md` file as a new text. Multipart: `file`, optional `title` (default: the file's
/// first heading, else its name), `kind`. The CSRF token comes as the `csrf_token` field.
#[utoipa::path(post, path = "/groups/{id}/texts/import", tag = "pages", params(("id" = String, Path, description = "Group id")),
    responses((status = 303, description = "To the new text"), (status = 422, description = "The form again, with errors")))]
async fn submit_import(
    State(app): State<App>,
    page: Page,
    GroupPath(id): GroupPath,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let group = creatable_group(&app, &page, id).await?;
    let viewer = page.require_viewer()?;
    let mut title = String::new();
    let mut kind = "programme".to_owned();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::bad_request(format!("Formulaire illisible : {e}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| AppError::bad_request(format!("Fichier illisible : {e}")))?;
        match name.as_str() {
            "title" => title = String::from_utf8_lossy(&bytes).into_owned(),
            "kind" => kind = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => file = Some((file_name.unwrap_or_default(), bytes.to_vec())),
            _ => {}
        }
    }
    let mut errors = FieldErrors::new();
    let source = match &file {
        None => {
            errors.insert("file".into(), tpl::t(page.lang(), "text.import_no_file"));
            String::new()
        }
        // Only Markdown: another file (a .docx, a PDF) would become a text of garbage.
        Some((name, _)) if !name.to_lowercase().ends_with(".md") => {
            errors.insert("file".into(), tpl::t(page.lang(), "text.import_not_md"));
            String::new()
        }
        Some((_, bytes)) => match String::from_utf8(bytes.clone()) {
            Ok(s) if s.len() <= text::MAX_MARKDOWN_BYTES => s,
            Ok(_) => {
                errors.insert("file".into(), tpl::t(page.lang(), "text.import_too_large"));
                String::new()
            }
            Err(_) => {
                errors.insert("file".into(), tpl::t(page.lang(), "text.import_not_utf8"));
                String::new()
            }
        },
    };
    if title.trim().is_empty() {
        title = first_heading(&source)
            .or_else(|| {
                file.as_ref()
                    .map(|(name, _)| name.trim_end_matches(".md").replace(['-', '_'], " "))
            })
            .unwrap_or_default();
    }
    if errors.is_empty() {
        match NewTextInput::parse(&title, &kind, Some(&source), None)
            .and_then(|input| input.within(app.config.doc_max_text_length))
        {
            Ok(input) => {
                let text_id = text::create_text(
                    &app.db,
                    Some(viewer.member_id),
                    group.group.group_id,
                    &input,
                )
                .await?;
                flash(&page.session, tpl::t(page.lang(), "flash.text_imported")).await?;
                return Ok(see_other(&format!("/texts/{text_id}")));
            }
            // The import form's own fields (the page also holds the creation form).
            Err(more) => errors.extend(more.into_iter().map(
                |(field, message)| match field.as_str() {
                    "title" | "kind" => (format!("import_{field}"), message),
                    _ => ("file".to_owned(), message),
                },
            )),
        }
    }
    let view = new_text_view(&group, &title, &kind, "", "", errors);
    Ok(html_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        tpl::new_text_page(&page.ctx, &view),
    ))
}

/// The text of the first ATX heading, if any.
fn first_heading(source: &str) -> Option<String> {
    source
        .lines()
        .find_map(|line| line.trim_start().strip_prefix('#'))
        .map(|rest| rest.trim_start_matches('#').trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// A wiki address: the page if it exists, else an offer to create it.
#[utoipa::path(get, path = "/groups/{id}/wiki/{slug}", tag = "pages",
    params(("id" = String, Path, description = "Group id"), ("slug" = String, Path, description = "The page's title, as a slug")),
    responses((status = 303, description = "To the page"), (status = 404, description = "The page does not exist yet: an offer to create it")))]
async fn show_wiki_page(
    State(app): State<App>,
    page: Page,
    GroupPath(group_id): GroupPath,
    WikiSlugPath(slug): WikiSlugPath,
) -> AppResult<Response> {
    let group = organisation::load_group(&app.db, page.viewer.as_ref(), group_id).await?;
    if let Some(found) = app.db.text_by_slug(group_id, &slug).await? {
        return Ok(see_other(&format!("/texts/{}", found.text_id)));
    }
    let backlinks = wiki::backlinks(&app.db, page.viewer.as_ref(), group_id, &slug).await?;
    // The title as the links wrote it, when one of them did; else the slug, spaced.
    let title = wiki::link_title(&app.db, page.viewer.as_ref(), group_id, &slug)
        .await?
        .unwrap_or_else(|| slug.replace('-', " "));
    let view = tpl::WikiMissingView {
        group_id: group_id.to_string(),
        group_name: group.group.name.clone(),
        title,
        can_create: page
            .viewer
            .as_ref()
            .is_some_and(|v| text::can_create_in(v, &group)),
        backlinks: link_views(backlinks),
    };
    Ok(html_with_status(
        StatusCode::NOT_FOUND,
        tpl::wiki_missing_page(&page.ctx, &view),
    ))
}

/// A group's texts by last change.
#[utoipa::path(get, path = "/groups/{id}/changes", tag = "pages", params(("id" = String, Path, description = "Group id")),
    responses((status = 200, description = "HTML page"), (status = 404, description = "No such group")))]
async fn show_group_changes(
    State(app): State<App>,
    page: Page,
    GroupPath(group_id): GroupPath,
) -> AppResult<Response> {
    let group = organisation::load_group(&app.db, page.viewer.as_ref(), group_id).await?;
    let texts = app.db.recent_texts(group_id, 50).await?;
    // The three most recent authors of each text (the rows come most recent first per text).
    // Names are shown, as in the group's activity feed, only to those who may see who belongs
    // to the group (its directory): a public theme does not make its members public.
    let mut authors: std::collections::HashMap<String, Vec<String>> = Default::default();
    let rows = if group.access.can_see_directory {
        app.db.recent_text_authors(group_id).await?
    } else {
        Vec::new()
    };
    for (text_id, name, _) in rows {
        let names = authors.entry(text_id.to_string()).or_default();
        if names.len() < 3 {
            names.push(name);
        }
    }
    let view = tpl::GroupChangesView {
        group_id: group_id.to_string(),
        group_name: group.group.name.clone(),
        items: texts.into_iter().map(views::text_list_item).collect(),
        authors,
    };
    Ok(html(tpl::group_changes_page(&page.ctx, &view)))
}
