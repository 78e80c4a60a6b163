//! `TestApp`: the real server on 127.0.0.1:0 with its own data directory, spoken to over HTTP.
//! On SQLite by default; on a fresh PostgreSQL database (created for the test, dropped after)
//! with `TestApp::postgres()` when `ATELIER_TEST_DATABASE_URL` is set.

use std::path::PathBuf;

use atelier::App;
use atelier::config::{Config, RegistrationMode};
use reqwest::redirect::Policy;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const PASSWORD: &str = "un mot de passe de test";

pub struct TestApp {
    pub url: String,
    pub dir: TempDir,
    pub app: App,
    pub config: Config,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    pg_database: Option<(String, String)>,
}

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests may use, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("ATELIER_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

fn random_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}{:x}", nanos, std::process::id())
}

/// Why a PostgreSQL test cannot run: it is ignored by default, and was asked for all the same.
pub const NO_POSTGRES: &str = "this test needs PostgreSQL: set ATELIER_TEST_DATABASE_URL \
    (e.g. postgres://postgres@127.0.0.1:5432/test); without it, it is ignored, never passed";

/// Creates a fresh database on the test PostgreSQL server; returns (its URL, the admin URL).
/// `None` only when no server is configured; a configured server that does not answer fails the
/// test (a PostgreSQL pass must never pass without PostgreSQL).
pub async fn fresh_postgres_database() -> Option<(String, String)> {
    use sqlx::Connection;
    let admin = postgres_url()?;
    let name = format!("atelier_test_{}", random_suffix());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("cannot reach ATELIER_TEST_DATABASE_URL");
    sqlx::query(&format!("create database {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let mut url = url::Url::parse(&admin).expect("ATELIER_TEST_DATABASE_URL is not a URL");
    url.set_path(&format!("/{name}"));
    Some((url.to_string(), admin))
}

/// Drops a database `fresh_postgres_database` made.
pub async fn drop_postgres_database(admin: &str, url: &str) {
    use sqlx::Connection;
    let name = url::Url::parse(url)
        .ok()
        .map(|u| u.path().trim_start_matches('/').to_owned())
        .unwrap_or_default();
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
        let _ = sqlx::query(&format!("drop database if exists {name} with (force)"))
            .execute(&mut conn)
            .await;
    }
}

impl TestApp {
    pub async fn start() -> TestApp {
        TestApp::start_with(Backend::Sqlite, |_| {})
            .await
            .expect("sqlite is always there")
    }

    /// On PostgreSQL. Tests that call it are `#[ignore]`d with the reason, so that a run without
    /// a database reports them as ignored instead of passing them; run on purpose
    /// (`-- --ignored`, as `.ci/run` does) without `ATELIER_TEST_DATABASE_URL`, they fail. The
    /// `Option` is always `Some`: it stays for the callers written when it was not.
    pub async fn postgres() -> Option<TestApp> {
        TestApp::start_with(Backend::Postgres, |_| {}).await
    }

    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::defaults();
        config.data_dir = dir.path().join("data");
        config.registration = RegistrationMode::InviteOnly;
        let pg_database = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let Some((url, admin)) = fresh_postgres_database().await else {
                    panic!("{NO_POSTGRES}");
                };
                config.database_url = Some(url.clone());
                Some((url, admin))
            }
        };
        adjust(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        config.addr = addr;
        config.base_url = format!("http://{addr}");
        let app = App::open(config.clone()).await.expect("app opens");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(atelier::serve(listener, app.clone(), async move {
            let _ = rx.await;
        }));
        Some(TestApp {
            url: format!("http://{addr}"),
            dir,
            app,
            config,
            shutdown: Some(tx),
            server: Some(server),
            pg_database,
        })
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        self.stop_in_place().await;
    }

    async fn stop_in_place(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server ran");
        }
        if let Some((url, admin)) = self.pg_database.take() {
            drop_postgres_database(&admin, &url).await;
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.config.data_dir.clone()
    }

    /// A client with its own cookie jar that does not follow redirects (tests check them).
    pub fn browser(&self) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .build()
            .expect("client");
        Browser {
            client,
            jar,
            url: self.url.clone(),
        }
    }

    /// A plain API client (no cookies).
    pub fn api(&self) -> Api {
        Api {
            client: reqwest::Client::new(),
            url: self.url.clone(),
            token: None,
        }
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        reqwest::Client::new().get(format!("{}{path}", self.url))
    }

    /// Creates an account with `PASSWORD` directly in the store.
    pub async fn member(&self, email: &str, name: &str) -> atelier::model::MemberId {
        let account = atelier::accounts::NewAccount::parse(email, name, Some(PASSWORD))
            .expect("valid account");
        atelier::accounts::create_account(&self.app.db, account, None)
            .await
            .expect("member created")
    }

    /// The national group, created if needed.
    pub async fn national(&self) -> atelier::model::GroupId {
        self.app
            .db
            .ensure_national_group("Parti")
            .await
            .expect("national group")
    }

    pub async fn group(
        &self,
        kind: atelier::model::GroupKind,
        name: &str,
        parent: atelier::model::GroupId,
        visibility: atelier::model::Visibility,
    ) -> atelier::model::GroupId {
        self.app
            .db
            .create_group(kind, name, "", Some(parent), visibility, None)
            .await
            .expect("group created")
    }

    /// A public federation under the national group and a public section in it.
    pub async fn federation_and_section(
        &self,
        federation: &str,
        section: &str,
    ) -> (atelier::model::GroupId, atelier::model::GroupId) {
        use atelier::model::{GroupKind, Visibility};
        let national = self.national().await;
        let federation = self
            .group(
                GroupKind::Federation,
                federation,
                national,
                Visibility::Public,
            )
            .await;
        let section = self
            .group(GroupKind::Section, section, federation, Visibility::Public)
            .await;
        (federation, section)
    }

    pub async fn grant(
        &self,
        member: atelier::model::MemberId,
        group: atelier::model::GroupId,
        role: atelier::model::Role,
    ) {
        self.app
            .db
            .set_membership(member, group, role)
            .await
            .expect("membership");
    }

    /// An API client signed in as this member.
    pub async fn api_as(&self, email: &str) -> Api {
        let mut api = self.api();
        let response = api
            .post(
                "/api/v1/session",
                json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        assert_eq!(response.status(), 201, "sign-in of {email} failed");
        let body: Value = response.json().await.expect("json");
        api.token = Some(body["token"].as_str().expect("token").to_owned());
        api
    }

    /// A writer (`Role::Member` of a public theme "Culture") and a text of theirs, "Culture":
    /// the theme and the text's id.
    pub async fn writer_with_text(
        &self,
        email: &str,
        name: &str,
    ) -> (atelier::model::GroupId, String) {
        let national = self.national().await;
        let theme = self
            .group(
                atelier::model::GroupKind::Theme,
                "Culture",
                national,
                atelier::model::Visibility::Public,
            )
            .await;
        let writer = self.member(email, name).await;
        self.grant(writer, theme, atelier::model::Role::Member)
            .await;
        let text = self.api_as(email).await.create_text(theme, "Culture").await;
        (theme, text)
    }

    /// The mails written so far (no SMTP in tests), oldest first.
    pub fn mails(&self) -> Vec<String> {
        read_mails(&self.config.data_dir)
    }

    /// The path (on this server) of the link in the last mail.
    pub fn last_mailed_path(&self) -> String {
        let link = self.last_mailed_link();
        link.strip_prefix(&self.url)
            .expect("a link here")
            .to_owned()
    }

    /// The memberships a member's own `/api/v1/me` lists (signing in with `PASSWORD`).
    pub async fn memberships(&self, email: &str) -> Value {
        let me = self.api_as(email).await.get_json("/api/v1/me", 200).await;
        me["memberships"].clone()
    }

    /// The first link to this server found in the last mail.
    pub fn last_mailed_link(&self) -> String {
        let mails = self.mails();
        let mail = mails.last().expect("a mail was sent");
        let start = mail
            .find(&self.url)
            .expect("the mail holds a link to the server");
        mail[start..]
            .split_whitespace()
            .next()
            .expect("link")
            .to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some((url, admin)) = self.pg_database.take() {
            // When a test ended without `stop` (it panicked, or returned early): drop the
            // database from a thread of its own (this runs inside the test's runtime), and wait
            // for it, or the process may exit first and leave the database behind.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(drop_postgres_database(&admin, &url));
                }
            })
            .join();
        }
    }
}

/// The mails a server on `data_dir` wrote (no SMTP in tests), oldest first.
pub fn read_mails(data_dir: &std::path::Path) -> Vec<String> {
    let dir = data_dir.join("mail");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|m| decode_mail(&m))
        .collect()
}

/// Undoes quoted-printable soft breaks and escapes, enough to read links in the test mails.
fn decode_mail(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(byte) = hex {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A browser-like client: cookies, forms with the page's CSRF token.
pub struct Browser {
    pub client: reqwest::Client,
    /// Its cookies, to copy them elsewhere.
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub url: String,
}

impl Browser {
    /// The `Cookie` header this browser sends to `url`.
    pub fn cookie_header(&self, url: &str) -> String {
        use reqwest::cookie::CookieStore;
        let url = url.parse().expect("url");
        self.jar
            .cookies(&url)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
            .unwrap_or_default()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// The CSRF token of the page at `path` (from its `<meta name="csrf-token">`).
    pub async fn csrf_token(&self, path: &str) -> String {
        let (_, body) = self.get_text(path).await;
        extract_meta_csrf(&body).expect("the page carries a CSRF token")
    }

    /// Posts a form, adding the CSRF token taken from the page at `from`.
    pub async fn submit(&self, from: &str, to: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token(from).await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &token));
        self.client
            .post(format!("{}{to}", self.url))
            .form(&form)
            .send()
            .await
            .expect("request")
    }

    /// Posts a form without any CSRF token.
    pub async fn submit_without_token(
        &self,
        to: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        self.client
            .post(format!("{}{to}", self.url))
            .form(fields)
            .send()
            .await
            .expect("request")
    }

    /// Asks for a password-reset link through the form.
    pub async fn ask_password_reset(&self, email: &str) -> reqwest::Response {
        self.submit("/password/forgot", "/password/forgot", &[("email", email)])
            .await
    }

    pub async fn login(&self, email: &str) -> reqwest::Response {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await
    }
}

pub fn extract_meta_csrf(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf-token\"")?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let content = tag.find("content=\"")? + "content=\"".len();
    Some(tag[content..].split('"').next()?.to_owned())
}

/// A JSON API client.
pub struct Api {
    pub client: reqwest::Client,
    pub url: String,
    pub token: Option<String>,
}

impl Api {
    /// The bearer token this client signs its requests with.
    pub fn token(&self) -> &str {
        self.token.as_deref().expect("a signed-in client")
    }

    fn with_auth(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.with_auth(self.client.get(format!("{}{path}", self.url)))
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.with_auth(self.client.post(format!("{}{path}", self.url)))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn put(&self, path: &str, body: Value) -> reqwest::Response {
        self.with_auth(self.client.put(format!("{}{path}", self.url)))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch(&self, path: &str, body: Value) -> reqwest::Response {
        self.with_auth(self.client.patch(format!("{}{path}", self.url)))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// Creates a programme text in `group`; its id.
    pub async fn create_text(&self, group: atelier::model::GroupId, title: &str) -> String {
        let response = self
            .post(
                "/api/v1/texts",
                json!({"group_id": group.to_string(), "title": title, "kind": "programme"}),
            )
            .await;
        let status = response.status();
        let body: Value = response.json().await.expect("json");
        assert_eq!(status, 201, "creating {title}: {body}");
        body["id"].as_str().expect("id").to_owned()
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.with_auth(self.client.delete(format!("{}{path}", self.url)))
            .send()
            .await
            .expect("request")
    }

    /// GET, asserting the status, returning the JSON.
    pub async fn get_json(&self, path: &str, status: u16) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        response.json().await.expect("json body")
    }
}
