//! `atelier import members FILE.csv`: bulk import of a federation's or the party's file.
//!
//! Columns `email,name,section,role` (a header line first; `section` is a section's name or id;
//! `role` a role code, or its French name: adhérent, sympathisant, secrétaire…). Every row is
//! checked before anything is written; each bad row is reported with its line number and why.
//! Nothing is imported unless every row is valid, or `--skip-invalid` is given. The valid rows go
//! in one transaction: all or nothing.

use std::collections::HashMap;
use std::io::Read;

use crate::model::{DisplayName, Email, GroupId, Role};
use crate::store::ImportMember;

/// A refused row: its line in the file (1 = the header) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// The parsed file: the valid rows, and the refused ones.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub rows: Vec<ImportMember>,
    pub errors: Vec<RowError>,
}

/// Role codes and the French words people put in their spreadsheets.
pub fn parse_role(raw: &str) -> Option<Role> {
    let folded = raw.trim().to_lowercase();
    Role::parse(&folded).or(match folded.as_str() {
        "adhérent" | "adherent" | "adhérente" | "adherente" | "membre" => Some(Role::Member),
        "sympathisant" | "sympathisante" => Some(Role::Supporter),
        "secrétaire" | "secretaire" => Some(Role::Secretary),
        "responsable" | "trésorier" | "tresorier" | "trésorière" | "tresoriere" => {
            Some(Role::Officer)
        }
        "organisateur" | "organisatrice" => Some(Role::Organiser),
        "administrateur" | "administratrice" => Some(Role::Admin),
        _ => None,
    })
}

/// Reads and checks every row. `sections` maps lowercased section names to ids; `section_ids`
/// lists the ids that are sections (a row may name its section by id).
pub fn parse_members_csv(
    input: impl Read,
    sections: &HashMap<String, GroupId>,
) -> anyhow::Result<ParsedFile> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| anyhow::anyhow!("cannot read the header line: {e}"))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let (Some(email_col), Some(name_col), Some(section_col), Some(role_col)) = (
        column("email"),
        column("name"),
        column("section"),
        column("role"),
    ) else {
        anyhow::bail!(
            "the first line must name the columns email,name,section,role (found: {})",
            headers.iter().collect::<Vec<_>>().join(",")
        );
    };
    let by_id: HashMap<i64, GroupId> = sections.values().map(|id| (id.0, *id)).collect();
    let mut parsed = ParsedFile::default();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                parsed.errors.push(RowError {
                    line,
                    reason: format!("unreadable row ({e})"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("");
        let mut reasons = Vec::new();
        let email = Email::parse(field(email_col))
            .map_err(|e| reasons.push(format!("email: {e}")))
            .ok();
        let name = DisplayName::parse(field(name_col))
            .map_err(|e| reasons.push(format!("name: {e}")))
            .ok();
        let section_raw = field(section_col);
        let section = sections
            .get(&section_raw.to_lowercase())
            .copied()
            .or_else(|| {
                section_raw
                    .parse::<i64>()
                    .ok()
                    .and_then(|id| by_id.get(&id).copied())
            });
        if section.is_none() {
            reasons.push(format!("unknown section {section_raw:?}"));
        }
        let role = parse_role(field(role_col));
        if role.is_none() {
            reasons.push(format!(
                "unknown role {:?} (supporter, member, secretary, officer, organiser, admin)",
                field(role_col)
            ));
        }
        if let Some(email) = &email
            && let Some(first) = first_line_of.get(email.as_str())
        {
            reasons.push(format!("{email} is already on line {first}"));
        }
        match (email, name, section, role) {
            (Some(email), Some(name), Some(group_id), Some(role)) if reasons.is_empty() => {
                first_line_of.insert(email.as_str().to_owned(), line);
                parsed.rows.push(ImportMember {
                    email,
                    name: name.as_str().to_owned(),
                    group_id,
                    role,
                });
            }
            (email, ..) => {
                if let Some(email) = email {
                    first_line_of
                        .entry(email.as_str().to_owned())
                        .or_insert(line);
                }
                parsed.errors.push(RowError {
                    line,
                    reason: reasons.join("; "),
                });
            }
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections() -> HashMap<String, GroupId> {
        HashMap::from([
            ("lille-centre".to_owned(), GroupId(5)),
            ("roubaix".to_owned(), GroupId(6)),
        ])
    }

    #[test]
    fn good_rows_are_kept_and_bad_rows_reported_with_their_line() {
        let csv = "email,name,section,role\n\
                   jeanne@exemple.fr,Jeanne Martin,Lille-Centre,adhérente\n\
                   pas-une-adresse,Paul,Roubaix,member\n\
                   luc@exemple.fr,Luc,Nowhere,member\n\
                   JEANNE@exemple.fr,Jeanne bis,Roubaix,member\n\
                   marc@exemple.fr,Marc,6,sympathisant\n";
        let parsed = parse_members_csv(csv.as_bytes(), &sections()).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(parsed.rows[0].role, Role::Member);
        assert_eq!(parsed.rows[1].group_id, GroupId(6));
        let lines: Vec<u64> = parsed.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
        assert!(parsed.errors[1].reason.contains("unknown section"));
        assert!(parsed.errors[2].reason.contains("already on line 2"));
    }

    #[test]
    fn a_file_without_the_columns_is_refused() {
        let err = parse_members_csv("mail,nom\na,b\n".as_bytes(), &sections()).unwrap_err();
        assert!(err.to_string().contains("email,name,section,role"));
    }
}
