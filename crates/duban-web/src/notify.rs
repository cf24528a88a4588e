//! Delivering reminders: a generic webhook (the shape 政务钉钉 / 企业微信
//! group bots accept; they are https endpoints) and SMTP mail, both
//! optional and configured by environment. Well-kept clients do the
//! protocols: `reqwest` with rustls for the webhook (http and https),
//! `lettre` for mail (STARTTLS, implicit TLS, or plain for a relay on an
//! isolated network), each with timeouts. Retries and backoff are the
//! outbox's (`duban_store::Store::record_delivery`).

use duban_core::dates::Date;
use duban_store::{Notification, Store, StoreError};
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use std::time::Duration;

/// How long one delivery may take, connection included.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How mail reaches the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which the server must
    /// offer (usually port 587). The default.
    #[default]
    StartTls,
    /// TLS from the first byte (usually port 465).
    Implicit,
    /// No TLS: only for a relay on an isolated network.
    None,
}

impl SmtpTls {
    pub fn parse(s: &str) -> Option<SmtpTls> {
        match s {
            "starttls" => Some(SmtpTls::StartTls),
            "tls" => Some(SmtpTls::Implicit),
            "none" => Some(SmtpTls::None),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Smtp {
    /// `host:port` (port 587 when omitted, 465 with implicit TLS).
    pub server: String,
    pub from: String,
    /// One address, or several separated by commas.
    pub to: String,
    pub tls: SmtpTls,
    /// `DUBAN_SMTP_USER` and `DUBAN_SMTP_PASSWORD`, when the server wants a login.
    pub credentials: Option<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct Channels {
    /// `DUBAN_WEBHOOK_URL`: `https://…` (or `http://…` on an intranet).
    pub webhook: Option<String>,
    /// `DUBAN_SMTP_SERVER` (`host:port`), `DUBAN_SMTP_FROM`, `DUBAN_SMTP_TO`,
    /// `DUBAN_SMTP_TLS` (`starttls` default, `tls`, `none`).
    pub smtp: Option<Smtp>,
}

impl Channels {
    pub fn from_env() -> Channels {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let tls = match var("DUBAN_SMTP_TLS") {
            None => SmtpTls::StartTls,
            Some(v) => SmtpTls::parse(v.trim()).unwrap_or_else(|| {
                eprintln!("DUBAN_SMTP_TLS 只能是 starttls、tls 或 none，按 starttls 处理。/ DUBAN_SMTP_TLS is starttls, tls or none; using starttls.");
                SmtpTls::StartTls
            }),
        };
        Channels {
            webhook: var("DUBAN_WEBHOOK_URL"),
            smtp: match (
                var("DUBAN_SMTP_SERVER"),
                var("DUBAN_SMTP_FROM"),
                var("DUBAN_SMTP_TO"),
            ) {
                (Some(server), Some(from), Some(to)) => Some(Smtp {
                    server,
                    from,
                    to,
                    tls,
                    credentials: var("DUBAN_SMTP_USER").zip(var("DUBAN_SMTP_PASSWORD")),
                }),
                _ => None,
            },
        }
    }

    pub fn names(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.webhook.is_some() {
            out.push("webhook");
        }
        if self.smtp.is_some() {
            out.push("email");
        }
        out
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub reminders: usize,
    pub queued: usize,
    pub delivered: usize,
    pub failed: usize,
    /// Regions whose round failed (region name, error): the others were
    /// still served.
    pub region_errors: Vec<(String, String)>,
}

/// One round: queue today's reminders in every region and try every
/// pending notification once. A region whose data cannot be read is
/// reported in [`Summary::region_errors`] and skipped; it never stops the
/// round for the other regions (issue 7, item 4).
pub async fn run_once(
    store: &Store,
    channels: &Channels,
    today: Date,
) -> Result<Summary, StoreError> {
    let mut summary = Summary::default();
    for region in store.regions().await? {
        if let Err(e) = region_round(store, channels, today, &region.id, &mut summary).await {
            summary
                .region_errors
                .push((region.name.clone(), e.to_string()));
        }
    }
    Ok(summary)
}

async fn region_round(
    store: &Store,
    channels: &Channels,
    today: Date,
    region_id: &str,
    summary: &mut Summary,
) -> Result<(), StoreError> {
    let names = channels.names();
    {
        summary.reminders += store.reminders(region_id, today).await?.len();
        // Overdue rectification items (督导整改逾期): always to the units'
        // in-app inbox, and to every configured channel.
        summary.queued += store
            .queue_rectification_reminders(region_id, today, &names)
            .await?;
        if names.is_empty() {
            return Ok(());
        }
        summary.queued += store.queue_reminders(region_id, today, &names).await?;
        for n in store.pending_notifications(region_id).await? {
            let result = tokio::time::timeout(Duration::from_secs(15), deliver(channels, &n))
                .await
                .unwrap_or_else(|_| Err("超时 / timed out".into()));
            match result {
                Ok(()) => {
                    summary.delivered += 1;
                    store
                        .record_delivery(region_id, &n.id, n.attempts, None)
                        .await?;
                }
                Err(e) => {
                    summary.failed += 1;
                    store
                        .record_delivery(region_id, &n.id, n.attempts, Some(&e))
                        .await?;
                }
            }
        }
    }
    Ok(())
}

async fn deliver(channels: &Channels, n: &Notification) -> Result<(), String> {
    match n.channel.as_str() {
        "webhook" => {
            let url = channels
                .webhook
                .as_deref()
                .ok_or("未配置 DUBAN_WEBHOOK_URL / no webhook configured")?;
            let body = serde_json::json!({ "msgtype": "text", "text": { "content": n.body } });
            post(url, &body).await
        }
        "email" => {
            let smtp = channels
                .smtp
                .as_ref()
                .ok_or("未配置 SMTP / no SMTP configured")?;
            send_mail(smtp, &n.subject, &n.body).await
        }
        other => Err(format!("未知渠道 {other} / unknown channel")),
    }
}

/// POSTs a JSON body; any 2xx is success. http and https (rustls, the
/// system's trusted roots).
async fn post(url: &str, body: &serde_json::Value) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| format!("webhook 地址无效（{e}）/ invalid webhook URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(
            "webhook 地址应为 https:// 或 http:// / the webhook URL is https:// or http://".into(),
        );
    }
    let client = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(DELIVERY_TIMEOUT)
        .build()
        .map_err(|e| format!("无法建立 HTTP 客户端（{e}）/ cannot build the HTTP client"))?;
    let response = client.post(parsed).json(body).send().await.map_err(|e| {
        format!(
            "webhook 发送失败（{}）/ webhook request failed",
            error_chain(&e)
        )
    })?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!(
            "webhook 返回 {} / webhook answered {}",
            status.as_u16(),
            status.as_u16()
        ))
    }
}

/// An error with its causes (reqwest's own message hides whether it was a
/// refused connection, a TLS failure or a timeout).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// One mail through the configured server; lettre encodes the UTF-8
/// subject and body.
async fn send_mail(smtp: &Smtp, subject: &str, body: &str) -> Result<(), String> {
    let mailbox = |a: &str| {
        a.trim()
            .parse::<Mailbox>()
            .map_err(|e| format!("邮件地址“{a}”无效（{e}）/ invalid mail address"))
    };
    let mut message = Message::builder().from(mailbox(&smtp.from)?);
    for to in smtp.to.split(',').filter(|t| !t.trim().is_empty()) {
        message = message.to(mailbox(to)?);
    }
    let message = message
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|e| format!("邮件无法生成（{e}）/ cannot build the mail"))?;
    let (host, port) = match smtp.server.rsplit_once(':') {
        Some((h, p)) => (
            h.to_string(),
            Some(
                p.parse::<u16>()
                    .map_err(|_| format!("SMTP 端口无效：{p} / invalid SMTP port"))?,
            ),
        ),
        None => (smtp.server.clone(), None),
    };
    let smtp_err = |e: lettre::transport::smtp::Error| {
        format!("SMTP 发送失败（{}）/ SMTP failed", error_chain(&e))
    };
    let mut builder = match smtp.tls {
        SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&host)
            .map_err(smtp_err)?
            .port(port.unwrap_or(587)),
        SmtpTls::Implicit => AsyncSmtpTransport::<Tokio1Executor>::relay(&host)
            .map_err(smtp_err)?
            .port(port.unwrap_or(465)),
        SmtpTls::None => {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host).port(port.unwrap_or(25))
        }
    }
    .timeout(Some(DELIVERY_TIMEOUT));
    if let Some((user, password)) = &smtp.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    builder
        .build()
        .send(message)
        .await
        .map(|_| ())
        .map_err(smtp_err)
}
