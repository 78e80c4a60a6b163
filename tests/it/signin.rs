//! Signing in under attack and in a crowd: throttling per account and per address, which
//! addresses are believed (`--trusted-proxies`), reset requests, redirects after signing in.

use atelier::config::Config;
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Backend, PASSWORD, TestApp};

/// Delays far longer than any test takes: whether an attempt is held never depends on how fast
/// the machine is, nor does what is forgotten. Every other number stays as configured.
fn long_delays(config: &mut Config) {
    for rule in [
        &mut config.throttle.account_from_address,
        &mut config.throttle.account,
        &mut config.throttle.address,
    ] {
        rule.first_delay = std::time::Duration::from_secs(3600);
        rule.max_delay = std::time::Duration::from_secs(3600);
        // Nothing forgotten during the test either: on a loaded machine a guess (an Argon2
        // hash) can take longer than the address rule's 2 s per forgotten failure.
        rule.forget_one_every = std::time::Duration::from_secs(3600);
    }
}

async fn start(adjust: impl FnOnce(&mut Config)) -> TestApp {
    TestApp::start_with(Backend::Sqlite, adjust)
        .await
        .expect("sqlite")
}

/// Many accounts sharing one password hash (hashing each would take minutes in a debug build).
async fn crowd(app: &TestApp, n: usize) -> Vec<String> {
    let hash = atelier::auth::password::hash_blocking(PASSWORD).unwrap();
    let mut emails = Vec::new();
    for i in 0..n {
        let email = atelier::model::Email::parse(&format!("membre{i}@exemple.fr")).unwrap();
        app.app
            .db
            .create_member(&atelier::store::NewMember {
                email: &email,
                name: &format!("Membre {i}"),
                password_hash: Some(&hash),
            })
            .await
            .unwrap();
        emails.push(email.as_str().to_owned());
    }
    emails
}

/// Signs in through the API, as if from `forwarded` when given; the status.
async fn sign_in(app: &TestApp, email: &str, password: &str, forwarded: Option<&str>) -> u16 {
    let mut request = reqwest::Client::new()
        .post(format!("{}/api/v1/session", app.url))
        .json(&json!({ "email": email, "password": password }));
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    request.send().await.expect("request").status().as_u16()
}

/// One wrong guess on each of the first five accounts, then a sixth on the next, each sent with
/// `forwarded(i)`: the sixth's status.
async fn spray(app: &TestApp, members: &[String], forwarded: impl Fn(usize) -> String) -> u16 {
    for (i, email) in members.iter().take(5).enumerate() {
        assert_eq!(
            sign_in(app, email, "azerty", Some(&forwarded(i))).await,
            401
        );
    }
    sign_in(app, &members[5], "azerty", Some(&forwarded(99))).await
}

#[tokio::test]
async fn a_crowd_behind_one_address_all_sign_in_even_after_typos() {
    // A convention hall in small: 60 members behind one address, half of them mistyping first,
    // ten at a time. The numbers are the real ones (no test settings).
    let app = TestApp::start().await;
    let members = crowd(&app, 60).await;
    let statuses = futures_util::future::join_all(members.chunks(10).map(|chunk| {
        let app = &app;
        async move {
            let mut statuses = Vec::new();
            for (i, email) in chunk.iter().enumerate() {
                if i % 2 == 0 {
                    assert_eq!(sign_in(app, email, "une faute de frappe", None).await, 401);
                }
                statuses.push(sign_in(app, email, PASSWORD, None).await);
            }
            statuses
        }
    }))
    .await;
    let statuses: Vec<u16> = statuses.into_iter().flatten().collect();
    assert_eq!(statuses, vec![201; 60]);
    app.stop().await;
}

#[tokio::test]
async fn rotating_x_forwarded_for_without_a_trusted_proxy_is_still_one_address() {
    let app = start(|config| {
        long_delays(config);
        config.throttle.address.free = 5;
    })
    .await;
    let members = crowd(&app, 6).await;
    // Password spraying: a new account and a new forwarded address for every guess.
    assert_eq!(
        spray(&app, &members, |i| format!("203.0.113.{i}")).await,
        429,
        "the header is ignored: every guess came from this one address"
    );
    app.stop().await;
}

#[tokio::test]
async fn with_a_trusted_proxy_the_forwarded_address_is_used() {
    let app = start(|config| {
        long_delays(config);
        config.throttle.address.free = 5;
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let members = crowd(&app, 8).await;
    // The client writes what it likes on the left; the proxy appends the address it saw.
    assert_eq!(
        spray(&app, &members, |i| format!("10.9.9.{i}, 198.51.100.1")).await,
        429,
        "the address the proxy saw is slowed, whatever the client wrote"
    );
    assert_eq!(
        sign_in(&app, &members[6], "azerty", Some("198.51.100.2")).await,
        401,
        "another address behind the proxy is not"
    );
    assert_eq!(
        sign_in(&app, &members[7], PASSWORD, Some("198.51.100.2")).await,
        201
    );
    app.stop().await;
}

#[tokio::test]
async fn the_owner_gets_in_while_an_attacker_guesses_from_everywhere() {
    let app = start(|config| {
        long_delays(config);
        config.throttle.account.free = 4;
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    app.member("cible@exemple.fr", "Cible").await;
    // The owner signed in from home before.
    assert_eq!(
        sign_in(&app, "cible@exemple.fr", PASSWORD, Some("198.51.100.1")).await,
        201
    );
    // The attacker guesses from a new address each time until slowed.
    let mut refused = 0;
    for i in 0..8 {
        let status = sign_in(
            &app,
            "cible@exemple.fr",
            "motdepasse",
            Some(&format!("203.0.113.{i}")),
        )
        .await;
        assert!(status == 401 || status == 429, "{status}");
        refused += usize::from(status == 429);
    }
    assert_eq!(refused, 4, "after four guesses, every new address waits");
    // The owner, from home, still gets in at once; from the same home, a wrong password is
    // counted for that address only.
    assert_eq!(
        sign_in(&app, "cible@exemple.fr", PASSWORD, Some("198.51.100.1")).await,
        201
    );
    // The browser form says how long to wait, on the form.
    let browser = app.browser();
    let token = browser.csrf_token("/login").await;
    let response = browser
        .client
        .post(format!("{}/login", app.url))
        .header("x-forwarded-for", "203.0.113.200")
        .form(&[
            ("email", "cible@exemple.fr"),
            ("password", "motdepasse"),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let page = response.text().await.unwrap();
    assert!(page.contains("réessayez dans"), "{page}");
    assert!(
        page.contains("name=\"password\""),
        "the form is there to try again"
    );
    app.stop().await;
}

#[tokio::test]
async fn asking_for_reset_links_does_not_slow_signing_in() {
    let app = start(long_delays).await;
    app.member("jeanne@exemple.fr", "Jeanne").await;
    let browser = app.browser();
    for _ in 0..8 {
        let r = browser.ask_password_reset("jeanne@exemple.fr").await;
        assert_eq!(r.status(), 200);
    }
    // Three mails, then the inbox is spared (the page says the same).
    assert_eq!(app.mails().len(), 3);
    assert_eq!(browser.login("jeanne@exemple.fr").await.status(), 303);
    app.stop().await;
}

#[tokio::test]
async fn asking_again_or_using_a_newer_reset_link_ends_the_older_ones() {
    let app = TestApp::start().await;
    app.member("jeanne@exemple.fr", "Jeanne").await;
    let browser = app.browser();
    assert_eq!(
        browser
            .ask_password_reset("jeanne@exemple.fr")
            .await
            .status(),
        200
    );
    let first = app.last_mailed_path();
    assert_eq!(
        browser
            .ask_password_reset("jeanne@exemple.fr")
            .await
            .status(),
        200
    );
    let second = app.last_mailed_path();
    assert_ne!(first, second);
    let (status, page) = browser.get_text(&first).await;
    assert_eq!(status, 409, "asking again ended the first link");
    assert!(page.contains("expiré"), "{page}");
    let new_password = "un tout nouveau mot de passe";
    let fields = [
        ("password", new_password),
        ("password_confirmation", new_password),
    ];
    assert_eq!(
        browser.submit(&second, &second, &fields).await.status(),
        303
    );
    let (status, _) = app.browser().get_text(&first).await;
    assert_eq!(status, 409);
    assert_eq!(
        sign_in(&app, "jeanne@exemple.fr", new_password, None).await,
        201
    );
    app.stop().await;
}

/// `next` values that must never lead off the site nor fail, as typed into a URL.
const BAD_NEXT: &[&str] = &[
    "/%09/evil.example/path",
    "/%0a/x",
    "/%0d%0aSet-Cookie:%20a=b",
    "//evil.example",
    "/%5Cevil.example",
    "%5C%5Cevil.example",
    "/%2F/evil.example",
    "https://evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "%20/groups",
    "/%7F",
    "/login",
];

#[tokio::test]
async fn a_bad_next_after_signing_in_goes_home_never_off_site_nor_to_an_error() {
    let app = TestApp::start().await;
    app.member("jeanne@exemple.fr", "Jeanne").await;
    for next in BAD_NEXT {
        // Decoded as a browser's form would send it.
        let decoded: String = url::form_urlencoded::parse(format!("next={next}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let browser = app.browser();
        let r = browser
            .submit(
                &format!("/login?next={next}"),
                "/login",
                &[
                    ("email", "jeanne@exemple.fr"),
                    ("password", PASSWORD),
                    ("next", &decoded),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "next={next}");
        assert_eq!(r.headers()["location"], "/", "next={next}");
        // Signed in, the sign-in page sends on at once; the language switch goes back.
        for path in [
            format!("/login?next={next}"),
            format!("/lang/en?next={next}"),
        ] {
            let r = browser.get(&path).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
            assert_eq!(r.headers()["location"], "/", "{path}");
        }
    }
    // A NUL is refused at the edge, wherever it is (issue 10, point 9): a 422 naming `next`,
    // never a redirect nor a 500.
    let r = app.browser().get("/login?next=/%00").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("next"));
    // A good one is followed.
    let browser = app.browser();
    let r = browser
        .submit(
            "/login",
            "/login",
            &[
                ("email", "jeanne@exemple.fr"),
                ("password", PASSWORD),
                ("next", "/groups?tab=all"),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/groups?tab=all");
    app.stop().await;
}
