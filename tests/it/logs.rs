//! What the real server's logs say under pages, live editing and mail flows: never a mailed
//! token, an email address, a password, a session or API token; no WARN per request from the
//! HTML parser; one WARN, not an ERROR, for a member's malformed sync frames.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::harness::{Api, Backend, Browser, PASSWORD, TestApp, read_mails};
use crate::sync_client::{Auth, SyncClient};
use atelier::model::Role;

/// A running `atelier serve`, killed when dropped (a failing test leaves no server behind).
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `atelier serve` on `data_dir` with `ATELIER_LOG=filter`, its stderr written to `log`.
async fn serve_logging_to(
    data_dir: &std::path::Path,
    filter: &str,
    log: &std::path::Path,
) -> (Serve, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Serve(
        Command::new(env!("CARGO_BIN_EXE_atelier"))
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("ATELIER_DATA_DIR", data_dir)
            .env_remove("ATELIER_DATABASE_URL")
            .env_remove("ATELIER_LOG_FORMAT")
            .env("ATELIER_LOG", filter)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).expect("log file"))
            .spawn()
            .expect("atelier serve starts"),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::get(format!("{url}/healthz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return (server, url);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not answer on {url}");
}

fn browser_for(url: &str) -> Browser {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Browser {
        client,
        jar,
        url: url.to_owned(),
    }
}

async fn api_for(url: &str, email: &str, password: &str) -> Api {
    let mut api = Api {
        client: reqwest::Client::new(),
        url: url.to_owned(),
        token: None,
    };
    let response = api
        .post(
            "/api/v1/session",
            json!({ "email": email, "password": password }),
        )
        .await;
    assert_eq!(response.status(), 201, "sign-in of {email}");
    let body: Value = response.json().await.expect("json");
    api.token = Some(body["token"].as_str().expect("token").to_owned());
    api
}

/// The path of the last mailed link to `url`.
fn last_mailed_path(data_dir: &std::path::Path, url: &str) -> String {
    let mails = read_mails(data_dir);
    let mail = mails.last().expect("a mail was sent");
    let at = mail.find(url).expect("the mail holds a link");
    mail[at + url.len()..]
        .split_whitespace()
        .next()
        .expect("link")
        .to_owned()
}

fn warn_lines(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains(" WARN ")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_carry_no_secrets_no_parser_flood_and_one_warning_per_bad_peer() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log_path = dir.path().join("serve.log");
    let (section, text) = {
        let app = TestApp::start_with(Backend::Sqlite, |c| c.data_dir = data.clone())
            .await
            .unwrap();
        let (_, section) = app
            .federation_and_section("Fédération du Nord", "Lille-Centre")
            .await;
        let secretary = app.member("secretaire@exemple.fr", "Karim").await;
        app.grant(secretary, section, Role::Secretary).await;
        app.member("jeanne@exemple.fr", "Jeanne").await;
        // 4 KB of nested tables, in a public text anyone may read.
        let markdown = format!(
            "# Tableaux\n\n{}\n",
            "<table><tr><td><table>x</table></td></tr></table>\n".repeat(85)
        );
        let api = app.api_as("secretaire@exemple.fr").await;
        let created = api
            .post(
                "/api/v1/texts",
                json!({"group_id": section.to_string(), "title": "Tableaux", "kind": "programme", "markdown": markdown}),
            )
            .await;
        assert_eq!(created.status(), 201);
        let text = created.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.stop().await;
        (section, text)
    };

    // Request spans at DEBUG, as an operator chasing a problem would set it: every span is
    // written, so every path is.
    let (server, url) = serve_logging_to(&data, "info,tower_http=debug", &log_path).await;
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();

    // An anonymous view of the nested tables: no WARN from the parser, counted instead.
    let before = warn_lines(&log()).len();
    let visitor = browser_for(&url);
    let (status, _) = visitor.get_text(&format!("/texts/{text}")).await;
    assert_eq!(status, 200);
    let after = log();
    let new_warnings = &warn_lines(&after)[before..];
    assert!(
        new_warnings.is_empty(),
        "one view wrote {} WARN lines: {:?}",
        new_warnings.len(),
        &new_warnings[..new_warnings.len().min(3)]
    );
    let metrics = reqwest::get(format!("{url}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("atelier_html_parser_warnings_total") && !l.ends_with(" 0")),
        "the parser's warnings are counted: {metrics}"
    );

    // Sign-ins: a wrong password, then the right one, in the browser and through the API.
    let jeanne = browser_for(&url);
    let wrong = "pas le bon mot de passe";
    jeanne
        .submit(
            "/login",
            "/login",
            &[("email", "jeanne@exemple.fr"), ("password", wrong)],
        )
        .await;
    assert_eq!(jeanne.login("jeanne@exemple.fr").await.status(), 303);
    let session_cookie = jeanne.cookie_header(&url);
    let secretary = api_for(&url, "secretaire@exemple.fr", PASSWORD).await;

    // A password reset, through the mailed link.
    let forgetful = browser_for(&url);
    let r = forgetful
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "jeanne@exemple.fr")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let reset_path = last_mailed_path(&data, &url);
    assert!(reset_path.starts_with("/password/reset/"), "{reset_path}");
    let new_password = "un tout nouveau mot de passe";
    let r = forgetful
        .submit(
            &reset_path,
            &reset_path,
            &[
                ("password", new_password),
                ("password_confirmation", new_password),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    // The spent link, asked again: an answer that is not a 200.
    assert_ne!(forgetful.get(&reset_path).await.status(), 200);

    // An invitation, accepted by creating the account.
    let r = secretary
        .post(
            &format!("/api/v1/groups/{section}/invitations"),
            json!({ "email": "nouvelle@exemple.fr", "role": "member" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let invitation_path = last_mailed_path(&data, &url);
    assert!(
        invitation_path.starts_with("/invitations/"),
        "{invitation_path}"
    );
    let newcomer = browser_for(&url);
    let invited_password = "le mot de passe de la nouvelle";
    let r = newcomer
        .submit(
            &invitation_path,
            &invitation_path,
            &[
                ("name", "Nouvelle Adhérente"),
                ("password", invited_password),
                ("password_confirmation", invited_password),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);

    // Live editing: a good edit, then malformed frames from the same member, reconnecting.
    let mut writer = SyncClient::connect(&url, &text, Auth::Bearer(secretary.token()))
        .await
        .expect("upgrade");
    writer
        .wait_for_markdown("the text arrives", |m| m.starts_with("# Tableaux"))
        .await;
    writer.append("Un ajout.").await;
    writer.wait_saved().await;
    writer.close().await;
    let malformed: [Vec<u8>; 3] = [
        b"pas un message".to_vec(),
        vec![0x42, 0xff, 0xff, 0xff, 0xff, 0x0f],
        // A well-formed message whose one change entry is not a change.
        [&[0x42, 0, 0, 0, 1, 9][..], b"123456789"].concat(),
    ];
    let mut codes = Vec::new();
    for frame in malformed {
        let mut peer = SyncClient::connect(&url, &text, Auth::Bearer(secretary.token()))
            .await
            .expect("upgrade");
        peer.send_raw(Message::Binary(frame.into())).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while peer.closed.is_none() && tokio::time::Instant::now() < deadline {
            peer.pump(Duration::from_millis(200)).await;
        }
        codes.push(peer.closed.map(|(code, _)| code));
    }

    let refused_metric = reqwest::get(format!("{url}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    drop(server);
    let log = log();
    assert!(log.contains("request"), "the spans were written: {log}");
    // Each bad frame closed its peer (1006 when a reset overtakes the close frame), and the
    // server counted each refusal.
    assert!(
        codes.iter().all(|c| matches!(c, Some(4400 | 1006))),
        "{codes:?}: {log}"
    );
    assert!(
        refused_metric
            .lines()
            .any(|l| l == "atelier_sync_refused_total{code=\"4400\"} 3"),
        "three refusals counted: {refused_metric}"
    );
    let refusals = log
        .lines()
        .filter(|l| l.contains("sync message was refused"))
        .collect::<Vec<_>>();
    assert_eq!(
        refusals.len(),
        1,
        "one WARN for the member's bad frames: {refusals:?}"
    );
    assert!(refusals[0].contains(" WARN "), "{}", refusals[0]);
    let errors: Vec<&str> = log.lines().filter(|l| l.contains(" ERROR ")).collect();
    assert!(
        errors.is_empty(),
        "nothing here is the server's fault: {errors:?}"
    );

    let reset_token = reset_path.rsplit('/').next().unwrap();
    let invitation_token = invitation_path.rsplit('/').next().unwrap();
    let session_id = session_cookie.split('=').nth(1).unwrap_or_default();
    let secrets = [
        ("the reset token", reset_token),
        ("the invitation token", invitation_token),
        ("the session id", session_id),
        ("the API token", secretary.token()),
        ("a password", PASSWORD),
        ("a wrong password", wrong),
        ("the new password", new_password),
        ("the invited member's password", invited_password),
    ];
    for (what, secret) in secrets {
        assert!(!secret.is_empty(), "{what}");
        assert!(!log.contains(secret), "{what} is in the logs");
    }
    let lowercase = log.to_lowercase();
    for email in [
        "jeanne@exemple.fr",
        "secretaire@exemple.fr",
        "nouvelle@exemple.fr",
        "@exemple.fr",
    ] {
        assert!(!lowercase.contains(email), "{email} is in the logs");
    }
    assert!(
        log.contains("/password/reset/[redacted]") && log.contains("/invitations/[redacted]"),
        "{log}"
    );
}
