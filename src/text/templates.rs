//! The Markdown a new text starts from, by kind: a motion, a programme chapter, a wiki page.
//! In French, the party's language; the headings are suggestions the authors rewrite.

use crate::model::TextKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    Motion,
    Chapter,
    Wiki,
}

impl Template {
    pub const ALL: [Template; 3] = [Template::Chapter, Template::Motion, Template::Wiki];

    pub fn parse(code: &str) -> Option<Template> {
        match code {
            "motion" => Some(Template::Motion),
            "chapter" => Some(Template::Chapter),
            "wiki" => Some(Template::Wiki),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Template::Motion => "motion",
            Template::Chapter => "chapter",
            Template::Wiki => "wiki",
        }
    }

    /// The kind of text a template makes.
    pub fn kind(self) -> TextKind {
        match self {
            Template::Motion | Template::Chapter => TextKind::Programme,
            Template::Wiki => TextKind::Wiki,
        }
    }

    pub fn default_for(kind: TextKind) -> Template {
        match kind {
            TextKind::Programme => Template::Chapter,
            TextKind::Wiki => Template::Wiki,
        }
    }

    pub fn markdown(self, title: &str) -> String {
        match self {
            Template::Motion => format!(
                "# {title}\n\n\
                 ## Exposé des motifs\n\n\
                 Pourquoi cette motion : le constat, ce qui ne va pas, ce que nous voulons changer.\n\n\
                 ## Dispositif\n\n\
                 Le congrès décide :\n\n\
                 1. Première décision.\n\
                 2. Deuxième décision.\n\n\
                 ## Premiers signataires\n\n\
                 - \n"
            ),
            Template::Chapter => format!(
                "# {title}\n\n\
                 ## Le constat\n\n\
                 Ce que vivent les Français aujourd'hui, chiffres et sources à l'appui.\n\n\
                 ## Nos propositions\n\n\
                 1. **Proposition.** Ce qu'elle change, pour qui, et comment la financer.\n\n\
                 ## Pour aller plus loin\n\n\
                 - [[Page du wiki liée]]\n"
            ),
            Template::Wiki => format!(
                "# {title}\n\n\
                 Résumé en deux phrases.\n\n\
                 ## Sources\n\n\
                 - \n\n\
                 ## Voir aussi\n\n\
                 - [[Autre page]]\n"
            ),
        }
    }
}
