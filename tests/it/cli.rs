//! The command line, run as a real process: import, member add, demo, backup.

use std::path::Path;
use std::process::{Command, Output};

use crate::harness::TestApp;

fn atelier(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_atelier"))
        .args(args)
        .env("ATELIER_DATA_DIR", data_dir)
        .env_remove("ATELIER_DATABASE_URL")
        .env("ATELIER_LOG", "warn")
        .output()
        .expect("atelier runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// (programme texts, wiki pages) of every theme.
async fn text_counts(data_dir: &Path) -> (usize, usize) {
    let db = atelier::store::Db::open_sqlite_in(data_dir, atelier::config::SqliteSync::Normal)
        .await
        .unwrap();
    let mut counts = (0, 0);
    for theme in db
        .groups(Some(atelier::model::GroupKind::Theme))
        .await
        .unwrap()
    {
        for t in db.texts_of_group(theme.group_id).await.unwrap() {
            match t.kind {
                atelier::model::TextKind::Programme => counts.0 += 1,
                atelier::model::TextKind::Wiki => counts.1 += 1,
            }
        }
    }
    db.close().await;
    counts
}

async fn member_count(data_dir: &Path) -> i64 {
    let db = atelier::store::Db::open_sqlite_in(data_dir, atelier::config::SqliteSync::Normal)
        .await
        .unwrap();
    let n = db.member_count().await.unwrap();
    db.close().await;
    n
}

#[tokio::test]
async fn demo_is_idempotent_and_import_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = atelier(&data, &["demo"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let after_demo = member_count(&data).await;
    assert!(after_demo >= 200, "about two hundred members: {after_demo}");
    let second = atelier(&data, &["demo"]);
    assert!(second.status.success());
    assert!(text(&second.stdout).contains("already"));
    assert_eq!(member_count(&data).await, after_demo);
    // The 16 chapters of the programme, each in its theme, and the wiki pages; once.
    assert_eq!(text_counts(&data).await, (16, 3));

    let csv = dir.path().join("members.csv");
    std::fs::write(
        &csv,
        "email,name,section,role\n\
         marie.curie@exemple.fr,Marie Curie,Lille-Centre,adhérente\n\
         pas-une-adresse,Paul,Roubaix,member\n\
         jean.moulin@exemple.fr,Jean Moulin,Atlantide,member\n\
         pierre@exemple.fr,Pierre,Pessac,roi\n\
         louise@exemple.fr,Louise Weiss,Villeurbanne,sympathisante\n",
    )
    .unwrap();
    let refused = atelier(&data, &["import", "members", csv.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = text(&refused.stderr);
    for expected in [
        "line 3",
        "line 4",
        "unknown section \"Atlantide\"",
        "line 5",
        "unknown role",
        "nothing was imported",
    ] {
        assert!(
            stderr.contains(expected),
            "{expected:?} missing from: {stderr}"
        );
    }
    assert_eq!(member_count(&data).await, after_demo, "nothing imported");

    let partial = atelier(
        &data,
        &["import", "members", "--skip-invalid", csv.to_str().unwrap()],
    );
    assert!(partial.status.success(), "{}", text(&partial.stderr));
    assert!(
        text(&partial.stdout).contains("2 new members"),
        "{}",
        text(&partial.stdout)
    );
    assert_eq!(member_count(&data).await, after_demo + 2);

    let good = dir.path().join("good.csv");
    std::fs::write(&good, "email,name,section,role\nmarie.curie@exemple.fr,Marie Curie,Lille-Centre,secretary\nsimone@exemple.fr,Simone Veil,Talence,member\n").unwrap();
    let ok = atelier(&data, &["import", "members", good.to_str().unwrap()]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(
        text(&ok.stdout).contains("1 new members, 1 existing members updated"),
        "{}",
        text(&ok.stdout)
    );

    let missing = atelier(&data, &["import", "members", "/nonexistent.csv"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("cannot open /nonexistent.csv"));
}

#[tokio::test]
async fn member_add_checks_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ok = atelier(
        &data,
        &[
            "member",
            "add",
            "--email",
            "Admin@Exemple.fr",
            "--name",
            "Ada",
            "--password",
            "un long mot de passe",
            "--role",
            "admin",
        ],
    );
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let again = atelier(
        &data,
        &[
            "member",
            "add",
            "--email",
            "admin@exemple.fr",
            "--name",
            "Ada",
        ],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );
    let bad = atelier(
        &data,
        &[
            "member",
            "add",
            "--email",
            "nope",
            "--name",
            "X",
            "--password",
            "court",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    let stderr = text(&bad.stderr);
    assert!(
        stderr.contains("email") && stderr.contains("password"),
        "{stderr}"
    );
    let bad_role = atelier(
        &data,
        &[
            "member",
            "add",
            "--email",
            "x@exemple.fr",
            "--name",
            "X",
            "--role",
            "king",
        ],
    );
    assert_eq!(bad_role.status.code(), Some(1));
    let unknown = atelier(&data, &["fly"]);
    assert_ne!(unknown.status.code(), Some(0));
}

/// Adds `count` members (each with a membership) in the background, yielding now and then so
/// that a backup can run meanwhile; answers how many it wrote.
fn spawn_writer(
    app: &TestApp,
    group: atelier::model::GroupId,
    count: u32,
) -> tokio::task::JoinHandle<u32> {
    let db = app.app.db.clone();
    tokio::spawn(async move {
        for n in 0..count {
            let email = atelier::model::Email::parse(&format!("ecrivain{n}@exemple.fr")).unwrap();
            let new = atelier::store::NewMember {
                email: &email,
                name: "Écrivain",
                password_hash: None,
            };
            let id = db.create_member(&new).await.unwrap();
            db.set_membership(id, group, atelier::model::Role::Member)
                .await
                .unwrap();
            if n.is_multiple_of(50) {
                tokio::task::yield_now().await;
            }
        }
        count
    })
}

#[tokio::test]
async fn backup_while_writing_then_restore() {
    let app = TestApp::start().await;
    let national = app.national().await;
    // Writers keep adding members while the backup runs.
    let writer = spawn_writer(&app, national, 3000);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let before = app.app.db.member_count().await.unwrap();
    let target = app.dir.path().join("copy.db");
    let data = app.data_dir();
    let target_arg = target.to_str().unwrap().to_owned();
    let output = tokio::task::spawn_blocking(move || atelier(&data, &["backup", &target_arg]))
        .await
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let written = writer.await.unwrap();
    assert_eq!(written, 3000);
    // The same file again is refused: a backup never overwrites.
    let again = atelier(&app.data_dir(), &["backup", target.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));

    // Restore: the copy becomes the database of a new data directory.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&target, restored.path().join("atelier.db")).unwrap();
    let db =
        atelier::store::Db::open_sqlite_in(restored.path(), atelier::config::SqliteSync::Normal)
            .await
            .unwrap();
    let count = db.member_count().await.unwrap();
    assert!(
        count >= before && count <= before + 3000,
        "a consistent snapshot: {before} ≤ {count}"
    );
    db.close().await;
    let copy = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        restored.path().join("atelier.db").display()
    ))
    .await
    .unwrap();
    let check: String = sqlx::query_scalar("pragma integrity_check")
        .fetch_one(&copy)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    copy.close().await;
    app.stop().await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn backup_while_writing_then_restore_on_postgres() {
    let Some(app) = TestApp::postgres().await else {
        return;
    };
    let url = app.config.database_url.clone().unwrap();
    let national = app.national().await;
    let writer = spawn_writer(&app, national, 1500);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let before = app.app.db.member_count().await.unwrap();
    let target = app.dir.path().join("copy.dump");
    let (data, target_arg, url_arg) = (
        app.data_dir(),
        target.to_str().unwrap().to_owned(),
        url.clone(),
    );
    let output = tokio::task::spawn_blocking(move || {
        atelier(&data, &["backup", "--database-url", &url_arg, &target_arg])
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    writer.await.unwrap();

    let (restored_url, admin) = crate::harness::fresh_postgres_database().await.unwrap();
    let restore = Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &restored_url])
        .arg(&target)
        .output()
        .unwrap();
    assert!(restore.status.success(), "{}", text(&restore.stderr));
    let db = atelier::store::Db::connect(&atelier::store::ConnectOptions {
        url: restored_url.clone(),
        sqlite_sync: atelier::config::SqliteSync::Normal,
        max_connections: 2,
    })
    .await
    .unwrap();
    let count = db.member_count().await.unwrap();
    assert!(
        count >= before && count <= before + 1500,
        "a consistent snapshot: {before} ≤ {count}"
    );
    db.close().await;
    crate::harness::drop_postgres_database(&admin, &restored_url).await;
    app.stop().await;
}

#[tokio::test]
async fn an_interrupted_demo_load_is_completed_not_duplicated() {
    let app = TestApp::start().await;
    let db = &app.app.db;
    // What a first run had written when it was killed: the national group, a federation, a member.
    let national = db
        .ensure_national_group(atelier::demo::NATIONAL_NAME)
        .await
        .unwrap();
    db.create_group(
        atelier::model::GroupKind::Federation,
        "Fédération du Nord",
        "",
        Some(national),
        atelier::model::Visibility::Public,
        None,
    )
    .await
    .unwrap();
    app.member("admin@exemple.fr", "Camille Administratrice")
        .await;
    assert!(atelier::demo::load(db).await.unwrap());
    let federations = db
        .groups(Some(atelier::model::GroupKind::Federation))
        .await
        .unwrap();
    assert_eq!(
        federations.len(),
        3,
        "{:?}",
        federations.iter().map(|g| &g.name).collect::<Vec<_>>()
    );
    let members = db.member_count().await.unwrap();
    assert!(
        !atelier::demo::load(db).await.unwrap(),
        "a complete load is not redone"
    );
    assert_eq!(db.member_count().await.unwrap(), members);
    app.stop().await;
}

#[tokio::test]
async fn reindex_builds_a_new_generation_of_everything_each_with_its_readers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(atelier(&data, &["demo"]).status.success());
    // An index of another schema version, as an older Atelier left it: replaced whole.
    let old = data.join("search-index");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join("atelier-schema-version"), "1").unwrap();
    std::fs::write(old.join("meta.json"), "{}").unwrap();

    let output = atelier(&data, &["reindex"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("documents"));
    assert!(!old.join("meta.json").exists(), "the old layout is gone");
    let (_, index) = atelier_search::IndexHome::new(&old)
        .open_current()
        .unwrap()
        .expect("a current generation");
    // As a visitor: the grants a visitor holds.
    let search = |q: &str| {
        index
            .search(&atelier_search::SearchQuery {
                text: q.into(),
                readers: atelier::auth::readers::held_by(None),
                limit: 10,
                ..Default::default()
            })
            .unwrap()
    };
    assert_eq!(
        search("sante").hits.first().map(|h| h.title.as_str()),
        Some("Santé"),
        "public themes are found, accents folded"
    );
    assert!(
        search("sante")
            .facets_kind
            .iter()
            .any(|(kind, _)| kind == "paragraph"),
        "the demo programme's paragraphs are indexed"
    );
    assert_eq!(
        search("revision").total,
        0,
        "a group-only working group (« Révision des statuts ») is not found by a visitor"
    );
    // But it is in the index, for those who may see it.
    let everything = index
        .search(&atelier_search::SearchQuery {
            text: "revision statuts".into(),
            all_readers_for_internal_checks: true,
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert!(everything.total > 0, "{everything:?}");
}

#[tokio::test]
async fn member_disable_and_enable_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let add = atelier(
        &data,
        &[
            "member",
            "add",
            "--email",
            "partant@exemple.fr",
            "--name",
            "Paul",
            "--password",
            "un long mot de passe",
        ],
    );
    assert!(add.status.success(), "{}", text(&add.stderr));
    let disabled_at = || async {
        let db = atelier::store::Db::open_sqlite_in(&data, atelier::config::SqliteSync::Normal)
            .await
            .unwrap();
        let email = atelier::model::Email::parse("partant@exemple.fr").unwrap();
        let row = db.member_by_email(&email).await.unwrap().unwrap();
        db.close().await;
        row.disabled_at
    };
    let off = atelier(
        &data,
        &["member", "disable", "--email", "Partant@Exemple.fr"],
    );
    assert!(off.status.success(), "{}", text(&off.stderr));
    assert!(text(&off.stdout).contains("is disabled"));
    assert!(disabled_at().await.is_some());
    let on = atelier(
        &data,
        &["member", "enable", "--email", "partant@exemple.fr"],
    );
    assert!(on.status.success(), "{}", text(&on.stderr));
    assert!(disabled_at().await.is_none());
    for (email, says) in [
        (
            "personne@exemple.fr",
            "there is no account for personne@exemple.fr",
        ),
        ("pas-une-adresse", "email:"),
    ] {
        let refused = atelier(&data, &["member", "disable", "--email", email]);
        assert_eq!(refused.status.code(), Some(1));
        assert!(
            text(&refused.stderr).contains(says),
            "{}",
            text(&refused.stderr)
        );
    }
}
