//! Delivering reminders: a generic webhook (the shape 政务钉钉 / 企业微信
//! group bots accept) and SMTP mail, both optional and configured by
//! environment. Plain-text protocols on purpose: the server runs on an
//! isolated network, and a TLS-terminating relay is the usual setup there.

use duban_core::dates::Date;
use duban_store::{Notification, Store, StoreError};
use serde::Serialize;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Debug, Clone, Default)]
pub struct Channels {
    /// `DUBAN_WEBHOOK_URL`: `http://host:port/path`.
    pub webhook: Option<String>,
    /// `DUBAN_SMTP_SERVER` (`host:port`), `DUBAN_SMTP_FROM`, `DUBAN_SMTP_TO`.
    pub smtp: Option<(String, String, String)>,
}

impl Channels {
    pub fn from_env() -> Channels {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Channels {
            webhook: var("DUBAN_WEBHOOK_URL"),
            smtp: match (
                var("DUBAN_SMTP_SERVER"),
                var("DUBAN_SMTP_FROM"),
                var("DUBAN_SMTP_TO"),
            ) {
                (Some(s), Some(f), Some(t)) => Some((s, f, t)),
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
            let body =
                serde_json::json!({ "msgtype": "text", "text": { "content": n.body } }).to_string();
            post(url, &body).await
        }
        "email" => {
            let (server, from, to) = channels
                .smtp
                .as_ref()
                .ok_or("未配置 SMTP / no SMTP configured")?;
            send_mail(server, from, to, &n.subject, &n.body).await
        }
        other => Err(format!("未知渠道 {other} / unknown channel")),
    }
}

/// HTTP/1.1 POST of a JSON body; any 2xx is success.
async fn post(url: &str, body: &str) -> Result<(), String> {
    let rest = url.strip_prefix("http://").ok_or(
        "只支持 http:// 地址（HTTPS 请经内网代理）/ only http:// URLs (use a relay for HTTPS)",
    )?;
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    let addr = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:80")
    };
    let mut stream = TcpStream::connect(&addr)
        .await
        .map_err(|e| format!("连接 {addr} 失败：{e} / connect failed"))?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut status = String::new();
    BufReader::new(stream)
        .read_line(&mut status)
        .await
        .map_err(|e| e.to_string())?;
    match status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
    {
        Some(code) if (200..300).contains(&code) => Ok(()),
        Some(code) => Err(format!("webhook 返回 {code} / webhook answered {code}")),
        None => Err("webhook 无有效响应 / no HTTP response".into()),
    }
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A minimal SMTP client: EHLO, MAIL, RCPT, DATA, QUIT; UTF-8 subject and
/// body in base64.
async fn send_mail(
    server: &str,
    from: &str,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), String> {
    let stream = TcpStream::connect(server)
        .await
        .map_err(|e| format!("连接 SMTP {server} 失败：{e} / connect failed"))?;
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    async fn expect(
        lines: &mut tokio::io::Lines<BufReader<tokio::net::tcp::OwnedReadHalf>>,
        code: &str,
    ) -> Result<(), String> {
        loop {
            let line = lines
                .next_line()
                .await
                .map_err(|e| e.to_string())?
                .ok_or("SMTP 连接中断 / SMTP closed")?;
            if !line.starts_with(code) {
                return Err(format!("SMTP：{line}"));
            }
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok(());
            }
        }
    }
    expect(&mut lines, "220").await?;
    let wrapped: String = base64(body.as_bytes())
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\r\n", String::from_utf8_lossy(c)))
        .collect();
    let steps = [
        ("EHLO duban\r\n".to_string(), "250"),
        (format!("MAIL FROM:<{from}>\r\n"), "250"),
        (format!("RCPT TO:<{to}>\r\n"), "250"),
        ("DATA\r\n".to_string(), "354"),
        (
            format!(
                "From: <{from}>\r\nTo: <{to}>\r\nSubject: =?UTF-8?B?{}?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{wrapped}.\r\n",
                base64(subject.as_bytes())
            ),
            "250",
        ),
        ("QUIT\r\n".to_string(), "221"),
    ];
    for (command, code) in steps {
        write
            .write_all(command.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        expect(&mut lines, code).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc4648() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(super::base64(input.as_bytes()), want);
        }
    }
}
