//! The bulletin's 版头 per region (migration 0016): issuing organ, 文号
//! pattern and 落款. Kept in the ledger, not a file, so a backup carries
//! it and every process serving the region prints the same header.

use crate::{audit, get_str, now, Result, Store};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BulletinSettings {
    /// 发文机关标志, printed in red.
    pub organ: String,
    /// 文号 pattern: `{year}` and `{n}` are replaced by the year and the
    /// bulletin's number (its month).
    pub doc_number: String,
    /// 落款.
    pub signature: String,
}

impl BulletinSettings {
    /// What a region without settings prints: made from its name, so the
    /// first bulletin is usable before anyone configures anything.
    pub fn default_for(region_name: &str) -> Self {
        BulletinSettings {
            organ: format!("{region_name}重点任务督办工作办公室"),
            doc_number: "督办通〔{year}〕{n}号".into(),
            signature: format!("{region_name}重点任务督办工作办公室"),
        }
    }

    /// The 文号 for a year and number.
    pub fn doc_number_for(&self, year: i32, n: u32) -> String {
        self.doc_number
            .replace("{year}", &year.to_string())
            .replace("{n}", &n.to_string())
    }
}

/// Longest text of a setting (a 版头 is one line).
const MAX_SETTING_CHARS: usize = 60;

impl Store {
    /// The region's bulletin settings, or the defaults from its name.
    pub async fn bulletin_settings(&self, region_id: &str) -> Result<BulletinSettings> {
        let row = sqlx::query(
            "SELECT organ, doc_number, signature FROM bulletin_settings WHERE region_id = $1",
        )
        .bind(region_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(BulletinSettings {
                organ: get_str(&r, "organ"),
                doc_number: get_str(&r, "doc_number"),
                signature: get_str(&r, "signature"),
            }),
            None => {
                let region = self.region(region_id).await?;
                Ok(BulletinSettings::default_for(&region.name))
            }
        }
    }

    /// Sets the region's bulletin settings (audited).
    pub async fn set_bulletin_settings(
        &self,
        region_id: &str,
        settings: &BulletinSettings,
        actor: &str,
    ) -> Result<BulletinSettings> {
        for (what, v) in [
            ("发文机关 / organ", &settings.organ),
            ("文号 / doc number", &settings.doc_number),
            ("落款 / signature", &settings.signature),
        ] {
            let n = v.trim().chars().count();
            if n == 0 || n > MAX_SETTING_CHARS {
                return Err(crate::StoreError::Invalid(format!(
                    "{what} 应为 1–{MAX_SETTING_CHARS} 个字。/ {what} must be 1–{MAX_SETTING_CHARS} characters."
                )));
            }
        }
        let before = self.bulletin_settings(region_id).await?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO bulletin_settings (region_id, organ, doc_number, signature, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (region_id) DO UPDATE SET organ = $2, doc_number = $3, signature = $4, updated_at = $5",
        )
        .bind(region_id)
        .bind(settings.organ.trim())
        .bind(settings.doc_number.trim())
        .bind(settings.signature.trim())
        .bind(now())
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "bulletin.settings",
            "region",
            region_id,
            Some(json!(before)),
            Some(json!(settings)),
        )
        .await?;
        tx.commit().await?;
        self.bulletin_settings(region_id).await
    }
}
