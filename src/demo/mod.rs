//! Demo data: a realistic party to explore — three federations, twelve sections, the themes of
//! a real programme, about two hundred members with varied roles, and the demo accounts the
//! README lists. Loading is idempotent: a second run changes nothing, and a run interrupted
//! halfway is completed by the next one (every group and member is looked up before it is made).

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::auth::password;
use crate::model::{Email, GroupId, GroupKind, MemberId, Role, TextKind, TitleKind, Visibility};
use crate::store::{AuditEvent, Db, NewMember};

/// The password of every demo account (printed by `serve --demo`, listed in the README).
pub const DEMO_PASSWORD: &str = "atelier-demo";

/// (email, name, role, where) of the accounts one can sign in with.
pub const DEMO_ACCOUNTS: &[(&str, &str, Role, &str)] = &[
    (
        "admin@exemple.fr",
        "Camille Administratrice",
        Role::Admin,
        "national",
    ),
    (
        "organisatrice@exemple.fr",
        "Inès Organisatrice",
        Role::Organiser,
        "national",
    ),
    (
        "secretaire@exemple.fr",
        "Karim Secrétaire",
        Role::Secretary,
        "Lille-Centre",
    ),
    (
        "adherente@exemple.fr",
        "Louise Adhérente",
        Role::Member,
        "Lille-Centre",
    ),
    (
        "sympathisant@exemple.fr",
        "Hugo Sympathisant",
        Role::Supporter,
        "Roubaix",
    ),
];

pub const NATIONAL_NAME: &str = "Mouvement commun";

const FEDERATIONS: &[(&str, &[&str])] = &[
    (
        "Fédération du Nord",
        &["Lille-Centre", "Roubaix", "Tourcoing", "Villeneuve-d'Ascq"],
    ),
    (
        "Fédération de la Gironde",
        &["Bordeaux-Centre", "Mérignac", "Pessac", "Talence"],
    ),
    (
        "Fédération du Rhône",
        &["Lyon 1er", "Villeurbanne", "Vénissieux", "Caluire-et-Cuire"],
    ),
];

/// The programme's chapters, one theme each (CC BY-SA 4.0, see programme/ATTRIBUTION.md).
pub const PROGRAMME: &[(&str, &str)] = &[
    ("header", include_str!("programme/header.md")),
    ("alimentaire", include_str!("programme/alimentaire.md")),
    ("armee", include_str!("programme/armee.md")),
    ("culture", include_str!("programme/culture.md")),
    ("ecologie", include_str!("programme/ecologie.md")),
    ("economie", include_str!("programme/economie.md")),
    ("education", include_str!("programme/education.md")),
    ("energie", include_str!("programme/energie.md")),
    ("finance", include_str!("programme/finance.md")),
    ("politique", include_str!("programme/politique.md")),
    ("recherche", include_str!("programme/recherche.md")),
    ("sante", include_str!("programme/sante.md")),
    ("securite", include_str!("programme/securite.md")),
    ("technologie", include_str!("programme/technologie.md")),
    ("transport", include_str!("programme/transport.md")),
    ("viepublique", include_str!("programme/viepublique.md")),
];

/// A theme's name: the chapter's first heading (the header file is the programme's preamble).
pub fn theme_name(slug: &str, markdown: &str) -> String {
    if slug == "header" {
        return "Préambule et présentation".to_owned();
    }
    markdown
        .lines()
        .find_map(|l| l.strip_prefix('#'))
        .map(|h| h.trim_start_matches('#').trim().to_owned())
        .unwrap_or_else(|| slug.to_owned())
}

const FIRST_NAMES: &[&str] = &[
    "Adèle",
    "Ahmed",
    "Alice",
    "Amandine",
    "Antoine",
    "Aurélien",
    "Bastien",
    "Béatrice",
    "Chloé",
    "Claire",
    "Damien",
    "Élodie",
    "Émile",
    "Fatou",
    "François",
    "Gaëlle",
    "Guillaume",
    "Hélène",
    "Jules",
    "Julie",
    "Laurent",
    "Léa",
    "Lucas",
    "Manon",
    "Marc",
    "Mathilde",
    "Mehdi",
    "Nadia",
    "Nicolas",
    "Noémie",
    "Olivier",
    "Pauline",
    "Quentin",
    "Rachid",
    "Sandrine",
    "Sophie",
    "Thomas",
    "Valérie",
    "Yasmine",
    "Zoé",
];
const LAST_NAMES: &[&str] = &[
    "Bernard",
    "Bonnet",
    "Chevalier",
    "Da Silva",
    "Dubois",
    "Durand",
    "Fontaine",
    "Fournier",
    "Garnier",
    "Gauthier",
    "Girard",
    "Guerin",
    "Lambert",
    "Laurent",
    "Lefebvre",
    "Lemaire",
    "Leroy",
    "Martin",
    "Mercier",
    "Michel",
    "Moreau",
    "Morel",
    "N'Diaye",
    "Nguyen",
    "Perrin",
    "Petit",
    "Robert",
    "Roux",
    "Simon",
    "Thomas",
];
const FUNCTIONS: &[&str] = &[
    "trésorier de section",
    "délégué à la formation",
    "animatrice du groupe thématique",
    "responsable des adhésions",
];
const MANDATES: &[&str] = &[
    "conseiller municipal",
    "adjointe au maire",
    "conseillère départementale",
    "conseiller régional",
];

/// The audit action recorded once the whole demo is in.
const LOADED: &str = "demo_loaded";
/// Texts came after the first demo: a database loaded before them gets them on the next load.
const TEXTS_LOADED: &str = "demo_texts_loaded";

/// A few wiki pages, linked to each other and across themes, to show what the wiki does.
const WIKI_PAGES: &[(&str, &str, &str)] = &[
    (
        "sante",
        "Déserts médicaux",
        "Un territoire est un *désert médical* quand ses habitants attendent trop longtemps, ou \
         vont trop loin, pour voir un médecin.\n\n## Ce que nous savons\n\n- Les chiffres de \
         l'accès aux soins par département.\n- Ce que font les villes qui attirent des médecins.\n\n\
         ## Voir aussi\n\n- [[Hôpital public]]\n- [[Éducation/Carte scolaire|La carte scolaire]], \
         l'autre service public qui se retire des campagnes\n- [[Maisons de santé]] (à écrire)\n",
    ),
    (
        "sante",
        "Hôpital public",
        "L'hôpital public accueille tout le monde, à toute heure.\n\n| Indicateur | Pourquoi |\n\
         |---|---|\n| Lits ouverts | la capacité réelle |\n| Temps d'attente aux urgences | \
         ce que vivent les patients |\n\nVoir [[Déserts médicaux]].\n",
    ),
    (
        "education",
        "Carte scolaire",
        "La carte scolaire affecte chaque élève à un établissement selon son adresse.\n\n\
         Pages liées : [[Santé/Déserts médicaux]].\n",
    ),
];

/// Loads the programme's chapters as texts in their themes, and a few wiki pages. Idempotent.
async fn load_texts(db: &Db) -> anyhow::Result<()> {
    if db.has_audit_action(TEXTS_LOADED).await? {
        return Ok(());
    }
    let themes = db.groups(Some(GroupKind::Theme)).await?;
    let theme_of = |slug: &str| {
        let markdown = PROGRAMME
            .iter()
            .find(|(s, _)| *s == slug)
            .map(|(_, m)| *m)?;
        let name = theme_name(slug, markdown);
        themes.iter().find(|g| g.name == name).map(|g| g.group_id)
    };
    let author = db
        .member_by_email(&Email::parse(DEMO_ACCOUNTS[1].0)?)
        .await?
        .map(|m| m.member_id);
    let mut texts: Vec<(GroupId, String, TextKind, String)> = PROGRAMME
        .iter()
        .filter_map(|(slug, markdown)| {
            let theme = theme_of(slug)?;
            Some((
                theme,
                theme_name(slug, markdown),
                TextKind::Programme,
                (*markdown).to_owned(),
            ))
        })
        .collect();
    texts.extend(WIKI_PAGES.iter().filter_map(|(slug, title, markdown)| {
        Some((
            theme_of(slug)?,
            (*title).to_owned(),
            TextKind::Wiki,
            (*markdown).to_owned(),
        ))
    }));
    for (theme, title, kind, markdown) in texts {
        if db
            .text_by_slug(theme, &crate::markup::slugify(&title))
            .await?
            .is_some()
        {
            continue;
        }
        let input = crate::text::NewTextInput {
            title: crate::model::TextTitle::parse(&title)?,
            kind,
            markdown,
        };
        crate::text::create_text(db, author, theme, &input).await?;
    }
    db.record(AuditEvent {
        actor: None,
        action: TEXTS_LOADED,
        group: None,
        member: None,
        detail: "",
    })
    .await?;
    Ok(())
}

/// The group of this kind and name under `parent`, created if missing: a run interrupted
/// halfway is completed by the next one, never duplicated.
async fn ensure_group(
    db: &Db,
    kind: GroupKind,
    name: &str,
    description: &str,
    parent: GroupId,
    visibility: Visibility,
) -> anyhow::Result<GroupId> {
    let children = db.children(parent).await?;
    if let Some(existing) = children
        .into_iter()
        .find(|g| g.kind == kind && g.name == name)
    {
        return Ok(existing.group_id);
    }
    Ok(db
        .create_group(kind, name, description, Some(parent), visibility)
        .await?)
}

/// The member with this address, created if missing.
async fn ensure_member(
    db: &Db,
    email: &Email,
    name: &str,
    password_hash: Option<&str>,
) -> anyhow::Result<MemberId> {
    if let Some(existing) = db.member_by_email(email).await? {
        return Ok(existing.member_id);
    }
    Ok(db
        .create_member(&NewMember {
            email,
            name,
            password_hash,
        })
        .await?)
}

fn ascii_slug(s: &str) -> String {
    let folded: String = s
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        })
        .collect();
    folded
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Loads the demo party. Returns false when it was already there.
pub async fn load(db: &Db) -> anyhow::Result<bool> {
    if db.has_audit_action(LOADED).await? {
        load_texts(db).await?;
        return Ok(false);
    }
    let national = db.ensure_national_group(NATIONAL_NAME).await?;
    let mut sections: Vec<(String, GroupId)> = Vec::new();
    for (federation, names) in FEDERATIONS {
        let description = format!("Les sections et les adhérents du département : {federation}.");
        let fed = ensure_group(
            db,
            GroupKind::Federation,
            federation,
            &description,
            national,
            Visibility::Public,
        )
        .await?;
        for name in *names {
            // One section keeps its page to its own members, to show what private looks like.
            let visibility = if *name == "Tourcoing" {
                Visibility::Group
            } else {
                Visibility::Public
            };
            let description = format!("La section locale de {name}.");
            let id =
                ensure_group(db, GroupKind::Section, name, &description, fed, visibility).await?;
            sections.push(((*name).to_owned(), id));
        }
    }
    let mut themes = Vec::new();
    for (slug, markdown) in PROGRAMME {
        let name = theme_name(slug, markdown);
        let description = format!(
            "Groupe de travail thématique « {name} » : il rédige et amende ce chapitre du programme, d'un congrès à l'autre."
        );
        themes.push(
            ensure_group(
                db,
                GroupKind::Theme,
                &name,
                &description,
                national,
                Visibility::Public,
            )
            .await?,
        );
    }
    let statutes = ensure_group(
        db,
        GroupKind::WorkingGroup,
        "Révision des statuts",
        "Groupe de travail restreint, réservé à ses membres.",
        national,
        Visibility::Group,
    )
    .await?;
    let section_named = |name: &str| sections.iter().find(|(n, _)| n == name).map(|(_, id)| *id);

    // The demo accounts, with a password.
    let hash = password::hash(crate::model::Password::parse(DEMO_PASSWORD)?).await?;
    let mut demo_ids = Vec::new();
    for (email, name, role, place) in DEMO_ACCOUNTS {
        let email = Email::parse(email)?;
        let id = ensure_member(db, &email, name, Some(&hash)).await?;
        let group = if *place == "national" {
            national
        } else {
            section_named(place).unwrap_or(national)
        };
        db.set_membership(id, group, *role).await?;
        demo_ids.push(id);
    }
    let (admin, organiser, secretary, member) =
        (demo_ids[0], demo_ids[1], demo_ids[2], demo_ids[3]);
    db.set_membership(member, themes[11], Role::Member).await?; // Santé
    db.set_membership(member, themes[6], Role::Member).await?; // Éducation
    db.set_membership(organiser, themes[11], Role::Officer)
        .await?;
    db.set_membership(secretary, statutes, Role::Member).await?;
    db.set_titles(
        secretary,
        &[
            (TitleKind::Function, "secrétaire de section".into()),
            (TitleKind::Mandate, "conseiller municipal de Lille".into()),
        ],
    )
    .await?;
    db.set_titles(
        organiser,
        &[(
            TitleKind::Function,
            "secrétaire nationale aux congrès".into(),
        )],
    )
    .await?;

    // About two hundred members, the same every time (a fixed seed).
    let mut rng = StdRng::seed_from_u64(2010);
    let mut used = std::collections::HashSet::new();
    let mut people: Vec<MemberId> = Vec::new();
    while people.len() < 200 {
        let first = FIRST_NAMES.choose(&mut rng).copied().unwrap_or("Alex");
        let last = LAST_NAMES.choose(&mut rng).copied().unwrap_or("Martin");
        if !used.insert((first, last)) {
            continue;
        }
        let email = Email::parse(&format!(
            "{}.{}@exemple.fr",
            ascii_slug(first),
            ascii_slug(last)
        ))?;
        let name = format!("{first} {last}");
        let id = ensure_member(db, &email, &name, None).await?;
        let (_, section) = sections[people.len() % sections.len()];
        let role = match rng.gen_range(0..100) {
            0..=14 => Role::Supporter,
            15..=91 => Role::Member,
            92..=97 => Role::Secretary,
            _ => Role::Officer,
        };
        db.set_membership(id, section, role).await?;
        let theme_count = rng.gen_range(0..3);
        for theme in themes.choose_multiple(&mut rng, theme_count) {
            db.set_membership(
                id,
                *theme,
                if role == Role::Supporter {
                    Role::Supporter
                } else {
                    Role::Member
                },
            )
            .await?;
        }
        if rng.gen_bool(0.15) {
            let mut titles = vec![(
                TitleKind::Function,
                FUNCTIONS
                    .choose(&mut rng)
                    .copied()
                    .unwrap_or_default()
                    .to_owned(),
            )];
            if rng.gen_bool(0.5) {
                titles.push((
                    TitleKind::Mandate,
                    MANDATES
                        .choose(&mut rng)
                        .copied()
                        .unwrap_or_default()
                        .to_owned(),
                ));
            }
            db.set_titles(id, &titles).await?;
        }
        if people.len().is_multiple_of(20) {
            db.record(AuditEvent {
                actor: Some(id),
                action: "member_joined",
                group: Some(section),
                member: Some(id),
                detail: role.code(),
            })
            .await?;
        }
        people.push(id);
    }
    for theme in themes.iter().take(4) {
        db.record(AuditEvent {
            actor: Some(admin),
            action: "group_created",
            group: Some(*theme),
            member: None,
            detail: "",
        })
        .await?;
    }
    load_texts(db).await?;
    db.record(AuditEvent {
        actor: None,
        action: LOADED,
        group: None,
        member: None,
        detail: "",
    })
    .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_take_their_chapter_heading() {
        let names: Vec<String> = PROGRAMME
            .iter()
            .map(|(slug, md)| theme_name(slug, md))
            .collect();
        assert_eq!(names.len(), 16);
        assert!(names.contains(&"Santé".to_owned()));
        assert!(names.contains(&"Éducation".to_owned()));
        assert_eq!(ascii_slug("N'Diaye"), "n-diaye");
    }
}
