//! One small file per resource.

pub mod assignments;
pub mod audit;
pub mod coordination;
pub mod cycles;
pub mod health;
pub mod indicators;
pub mod lists;
pub mod plans;
pub mod publications;
pub mod regions;
pub mod reminders;
pub mod reports;
pub mod supervision;
pub mod targets;
pub mod task_forces;
pub mod tasks;
pub mod units;

/// Today in China Standard Time (UTC+8): reports are late by the office's
/// calendar, not the server's.
pub fn today() -> duban_core::dates::Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    duban_core::dates::Date::parse("1970-01-01")
        .expect("epoch")
        .add_days((secs + 8 * 3600).div_euclid(86_400))
}
