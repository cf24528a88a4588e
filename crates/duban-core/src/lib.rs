//! duban-core: the domain's types and rules, pure and table-tested.
//!
//! Nothing here touches a database or the network. Types parse instead of
//! validate: a [`names::UnitName`] that exists is a valid unit name.

pub mod cycles;
pub mod dashboard;
pub mod dates;
pub mod diff;
pub mod evaluation;
pub mod groups;
pub mod names;
pub mod policy;
pub mod public;
pub mod supervision;
pub mod vocab;
pub mod wire;
