//! Outgoing mail: through SMTP when configured; otherwise each message is written as an `.eml`
//! file under `mail/` in the data directory and announced in the log, so that a development or
//! demo server works with no mail server (and tests read the links from those files).

use std::path::PathBuf;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Files {
        dir: PathBuf,
        from: Mailbox,
    },
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, from: &str, mail_dir: PathBuf) -> anyhow::Result<Mailer> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("the mail sender {from:?} is not valid: {e}"))?;
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("the SMTP URL is not valid: {e}"))?
                    .build();
                Ok(Mailer::Smtp { transport, from })
            }
            None => {
                std::fs::create_dir_all(&mail_dir).map_err(|e| {
                    anyhow::anyhow!(
                        "cannot create the mail directory {}: {e}",
                        mail_dir.display()
                    )
                })?;
                Ok(Mailer::Files {
                    dir: mail_dir,
                    from,
                })
            }
        }
    }

    /// Sends a plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> anyhow::Result<()> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| anyhow::anyhow!("cannot mail an invalid address: {e}"))?;
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Files { from, .. } => from.clone(),
        };
        let message = Message::builder()
            .from(from)
            .to(to.clone())
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport
                    .send(message)
                    .await
                    .map_err(|e| anyhow::anyhow!("the SMTP server refused a message: {e}"))?;
            }
            Mailer::Files { dir, .. } => {
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
