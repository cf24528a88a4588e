//! One small file per resource.

pub mod assignments;
pub mod audit;
pub mod health;
pub mod lists;
pub mod plans;
pub mod regions;
pub mod targets;
pub mod task_forces;
pub mod tasks;
pub mod units;
