//! One mail type over two backends: SMTP through lettre (`SMTP_URL`, e.g. `smtp://127.0.0.1:2525`
//! or `smtps://user:pass@host`), or, without `SMTP_URL`, `.eml` files under `data/mail/` that a
//! newcomer can open in any mail program.

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::messages::Bodies;
use crate::config::Config;
use crate::error::AppError;

/// How long one SMTP conversation may take before it counts as a failed try.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where e-mails go.
#[derive(Clone)]
pub enum Transport {
    Smtp {
        mailer: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Files {
        dir: PathBuf,
        from: Mailbox,
    },
}

/// A failed send: the text recorded with the attempt, and whether retrying can help.
#[derive(Clone, Debug)]
pub struct SendError {
    pub message: String,
    /// The server refused for good (5xx), or the address or message is unusable.
    pub permanent: bool,
}

impl SendError {
    fn permanent(message: String) -> SendError {
        SendError {
            message,
            permanent: true,
        }
    }
}

/// One e-mail ready to go.
pub struct Outgoing<'a> {
    /// The notification id: it makes the `Message-ID`, so a receiver can tell a resend.
    pub id: i64,
    pub to_name: Option<&'a str>,
    pub to: &'a str,
    pub subject: &'a str,
    pub bodies: &'a Bodies,
}

impl Transport {
    /// # Errors
    /// A `MAIL_FROM` that is not an address, or an `SMTP_URL` lettre cannot use.
    pub fn from_config(config: &Config) -> Result<Transport, AppError> {
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|e| AppError::Config(format!("MAIL_FROM is not an e-mail address: {e}")))?;
        match config.smtp_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => {
                // The URL may carry a password: the error names the problem, never the URL.
                let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| AppError::Config(format!("SMTP_URL cannot be used: {e}")))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                Ok(Transport::Smtp { mailer, from })
            }
            _ => Ok(Transport::Files {
                dir: config.data_dir.join("mail"),
                from,
            }),
        }
    }

    /// A short name for logs (never the URL, which may hold a password).
    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp { .. } => "smtp".to_owned(),
            Transport::Files { dir, .. } => format!("files in {}", dir.display()),
        }
    }

    fn from(&self) -> &Mailbox {
        match self {
            Transport::Smtp { from, .. } | Transport::Files { from, .. } => from,
        }
    }

    /// Builds the message (plain text and HTML alternatives).
    ///
    /// # Errors
    /// An address lettre refuses: permanent.
    pub fn build(&self, mail: &Outgoing<'_>) -> Result<Message, SendError> {
        let address = mail.to.trim().parse().map_err(|e| {
            SendError::permanent(format!("invalid recipient address {:?}: {e}", mail.to))
        })?;
        let to = Mailbox::new(mail.to_name.map(str::to_owned), address);
        let from = self.from();
        let domain = from.email.domain().to_owned();
        Message::builder()
            .from(from.clone())
            .to(to)
            .subject(mail.subject)
            .message_id(Some(format!("<notification-{}@{domain}>", mail.id)))
            .multipart(MultiPart::alternative_plain_html(
                mail.bodies.text.clone(),
                mail.bodies.html.clone(),
            ))
            .map_err(|e| SendError::permanent(format!("message cannot be built: {e}")))
    }

    /// Sends one message.
    ///
    /// # Errors
    /// What the server or the file system said; `permanent` when retrying cannot help.
    pub async fn send(&self, id: i64, message: Message) -> Result<(), SendError> {
        match self {
            Transport::Smtp { mailer, .. } => {
                mailer
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendError {
                        message: format!("smtp: {e}"),
                        permanent: e.is_permanent(),
                    })
            }
            Transport::Files { dir, .. } => {
                let dir = dir.clone();
                let name = format!("{}-{id}.eml", Utc::now().format("%Y%m%dT%H%M%S"));
                let bytes = message.formatted();
                tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(&dir)?;
                    std::fs::write(dir.join(name), bytes)
                })
                .await
                .map_err(|e| SendError {
                    message: format!("file writer: {e}"),
                    permanent: false,
                })?
                .map_err(|e| SendError {
                    message: format!("cannot write the .eml file: {e}"),
                    permanent: false,
                })
            }
        }
    }
}
