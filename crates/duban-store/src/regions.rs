//! Regions (区域): the tenants. A province hosts its cities and counties;
//! a user of a region sees that region and every region below it.

use crate::{audit, get_opt_str, get_str, new_id, now, Result, Store, StoreError};
use duban_core::names::RegionName;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
}

impl Store {
    pub async fn regions(&self) -> Result<Vec<Region>> {
        if let Some(cached) = self.regions.read().ok().and_then(|c| c.clone()) {
            return Ok(cached);
        }
        let rows = sqlx::query("SELECT id, name, parent_id FROM regions ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        let regions: Vec<Region> = rows
            .iter()
            .map(|r| Region {
                id: get_str(r, "id"),
                name: get_str(r, "name"),
                parent_id: get_opt_str(r, "parent_id"),
            })
            .collect();
        if let Ok(mut cache) = self.regions.write() {
            *cache = Some(regions.clone());
        }
        Ok(regions)
    }

    fn forget_regions(&self) {
        if let Ok(mut cache) = self.regions.write() {
            *cache = None;
        }
    }

    pub async fn region_by_name(&self, name: &str) -> Result<Option<Region>> {
        Ok(self.regions().await?.into_iter().find(|r| r.name == name))
    }

    pub async fn region(&self, id_or_name: &str) -> Result<Region> {
        let find = |regions: &[Region]| {
            regions
                .iter()
                .find(|r| r.id == id_or_name || r.name == id_or_name)
                .cloned()
        };
        if let Some(r) = find(&self.regions().await?) {
            return Ok(r);
        }
        // Another process (`duban import`) may have added it: read again.
        self.forget_regions();
        self.regions()
            .await?
            .into_iter()
            .find(|r| r.id == id_or_name || r.name == id_or_name)
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "没有区域“{id_or_name}”。/ No region '{id_or_name}'."
                ))
            })
    }

    /// Finds or creates the region, and its parent when given.
    pub async fn ensure_region(
        &self,
        name: &RegionName,
        parent: Option<&RegionName>,
        actor: &str,
    ) -> Result<Region> {
        let parent_id = match parent {
            Some(p) => Some(Box::pin(self.ensure_region(p, None, actor)).await?.id),
            None => None,
        };
        if let Some(existing) = self.region_by_name(name.as_str()).await? {
            if existing.parent_id.is_none() && parent_id.is_some() {
                let mut tx = self.begin().await?;
                sqlx::query("UPDATE regions SET parent_id = $1 WHERE id = $2")
                    .bind(&parent_id)
                    .bind(&existing.id)
                    .execute(&mut *tx)
                    .await?;
                audit(
                    &mut tx,
                    &existing.id,
                    actor,
                    "region.set_parent",
                    "region",
                    &existing.id,
                    None,
                    Some(serde_json::json!({ "parent_id": parent_id })),
                )
                .await?;
                tx.commit().await?;
                self.forget_regions();
                return Ok(Region {
                    parent_id,
                    ..existing
                });
            }
            return Ok(existing);
        }
        let region = Region {
            id: new_id(),
            name: name.to_string(),
            parent_id,
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO regions (id, name, parent_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&region.id)
        .bind(&region.name)
        .bind(&region.parent_id)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            &region.id,
            actor,
            "region.create",
            "region",
            &region.id,
            None,
            Some(serde_json::to_value(&region).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        self.forget_regions();
        Ok(region)
    }

    /// Whether `target` is `home` or lies below it in the region tree.
    pub async fn region_in_scope(&self, home: &str, target: &str) -> Result<bool> {
        let regions = self.regions().await?;
        let mut current = Some(target.to_string());
        let mut steps = 0;
        while let Some(id) = current {
            if id == home {
                return Ok(true);
            }
            current = regions
                .iter()
                .find(|r| r.id == id)
                .and_then(|r| r.parent_id.clone());
            steps += 1;
            if steps > 16 {
                break;
            }
        }
        Ok(false)
    }
}
