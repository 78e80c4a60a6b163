//! Outgoing mail: through SMTP when configured; otherwise each message is written as an `.eml`
//! file under `mail/` in the data directory and announced in the log, so that a development or
//! demo server works with no mail server (and tests read the links from those files).

use std::path::PathBuf;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// The site's outgoing mail. It knows the site's address, which every link it mails points to.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    base_url: String,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

impl Mailer {
    pub fn new(
        smtp_url: Option<&str>,
        from: &str,
        mail_dir: PathBuf,
        base_url: &str,
    ) -> anyhow::Result<Mailer> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("the mail sender {from:?} is not valid: {e}"))?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("the SMTP URL is not valid: {e}"))?
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(&mail_dir).map_err(|e| {
                    anyhow::anyhow!(
                        "cannot create the mail directory {}: {e}",
                        mail_dir.display()
                    )
                })?;
                Transport::Files(mail_dir)
            }
        };
        Ok(Mailer {
            transport,
            from,
            base_url: base_url.to_owned(),
        })
    }

    /// The address of a page of the site, for a mail: `path` starts with `/`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Sends a plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> anyhow::Result<()> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| anyhow::anyhow!("cannot mail an invalid address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.clone())
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)?;
        match &self.transport {
            Transport::Smtp(transport) => {
                transport
                    .send(message)
                    .await
                    .map_err(|e| anyhow::anyhow!("the SMTP server refused a message: {e}"))?;
            }
            Transport::Files(dir) => {
                let id = AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await?;
                // No address, no link in the log: the file holds them.
                tracing::info!(subject, file = %dir.join(format!("{id}.eml")).display(), "no SMTP server configured: mail written to a file");
            }
        }
        Ok(())
    }
}
