//! What the markup module's tests share: a wiki resolver and rendering with it.

use super::{RenderOptions, Rendered, WikiResolution, WikiTarget, render, slugify};

/// Pages whose title starts with « Nouvelle » do not exist yet.
pub fn resolver(target: &WikiTarget) -> WikiResolution {
    let path = match &target.theme {
        Some(theme) => format!("{}/{}", slugify(theme), slugify(&target.title)),
        None => slugify(&target.title),
    };
    if target.title.starts_with("Nouvelle") {
        WikiResolution::Missing {
            create_href: format!("/wiki/new?title={path}"),
        }
    } else {
        WikiResolution::Existing {
            href: format!("/wiki/{path}"),
        }
    }
}

pub fn render_md(markdown: &str) -> Rendered {
    render(markdown, &RenderOptions::new(&resolver))
}

pub fn html(markdown: &str) -> String {
    render_md(markdown).html
}
