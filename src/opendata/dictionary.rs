//! `DICTIONARY.md`: every file and every column of the export, from the tables that make the
//! CSV headers.

use super::{DataFile, Dataset};

/// What each dataset is, for the dictionary.
fn about(dataset: Dataset) -> &'static str {
    match dataset {
        Dataset::Texts => {
            "Every programme text and wiki page of the groups anyone may see (signed out), one \
             per line, by id. The texts of groups visible only to party members or to their own \
             members are not included."
        }
        Dataset::Amendments => {
            "Every amendment of those texts, except drafts (which only their author sees), one per \
             line, by id. Authors' and supporters' names are not published: only the number of \
             supporters."
        }
        Dataset::Debates => {
            "Every archived debate loaded into Atelier (`atelier import debates`), one per line, \
             by id. Archives are public."
        }
    }
}

/// The dictionary, in Markdown.
pub fn dictionary() -> String {
    let mut md = String::from(
        "# Atelier open data: data dictionary\n\n\
         These files hold everything of the party's work that anyone may see on its site, \
         and nothing else: never an email address, a member's name, a supporter's name, a \
         declared gender, a draft, nor anything of a group only its members see.\n\n\
         Each dataset comes twice, with the same columns in the same order:\n\n\
         - **JSON Lines** (`.jsonl`): one JSON object a line, UTF-8; the values exactly as \
         stored; an empty value is `null`.\n\
         - **CSV** (`.csv`): UTF-8 with a byte-order mark (so that spreadsheets read the \
         accents), a header row, records separated by CRLF, quoted as RFC 4180 says; an empty \
         value is an empty cell. A cell that a spreadsheet would take for a formula (starting \
         with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`: use the \
         JSON Lines files for the exact values.\n\n\
         Ids are integers written as text. Times are RFC 3339, in UTC. Pages are paths on the \
         site that published the files.\n\n\
         **Licence.** The licence under which these data may be reused is the organisation's \
         to choose (for example the ODbL, or Etalab's Licence Ouverte 2.0); ask it before \
         republishing them if its site does not say. The demo programme's chapters, when \
         present, are under CC BY-SA 4.0.\n",
    );
    for dataset in Dataset::ALL {
        let files: Vec<&str> = DataFile::ALL
            .into_iter()
            .filter(|f| f.dataset().is_some_and(|(d, _)| d == dataset))
            .map(DataFile::name)
            .collect();
        md.push_str(&format!(
            "\n## {}\n\nFiles: {}.\n\n{}\n\n| column | type | meaning | example |\n|---|---|---|---|\n",
            dataset.code(),
            files
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", "),
            about(dataset)
        ));
        for column in dataset.columns() {
            md.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                column.name,
                column.kind,
                column.meaning,
                if column.example.is_empty() {
                    "(empty)".to_owned()
                } else {
                    format!("`{}`", column.example)
                }
            ));
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_described() {
        let md = dictionary();
        for dataset in Dataset::ALL {
            for column in dataset.columns() {
                assert!(!column.meaning.is_empty() && !column.kind.is_empty());
                assert!(md.contains(&format!("| `{}` |", column.name)));
            }
        }
        for file in DataFile::ALL.iter().filter(|f| f.dataset().is_some()) {
            assert!(
                md.contains(&format!("`{}`", file.name())),
                "{}",
                file.name()
            );
        }
    }
}
