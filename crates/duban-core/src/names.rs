//! Names that must be valid to exist: units, regions, users; and the closed
//! vocabularies (roles, list kinds).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{zh} / {en}")]
pub struct NameError {
    pub zh: String,
    pub en: String,
}

fn err(zh: impl Into<String>, en: impl Into<String>) -> NameError {
    NameError {
        zh: zh.into(),
        en: en.into(),
    }
}

fn parse_name(s: &str, what_zh: &str, what_en: &str, max: usize) -> Result<String, NameError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(err(
            format!("{what_zh}不能为空。"),
            format!("{what_en} must not be empty."),
        ));
    }
    // The length as sent, padding included: the API documents maxLength
    // on the string it receives, so a longer one is refused even if it
    // would fit once trimmed.
    if s.chars().count() > max {
        return Err(err(
            format!("{what_zh}不能超过 {max} 个字。"),
            format!("{what_en} is longer than {max} characters."),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() || matches!(c, '、' | '，' | ',' | '；' | ';' | '/' | '\\'))
    {
        return Err(err(
            format!("{what_zh}“{t}”含有分隔符或控制字符，请只写一个名称。"),
            format!("{what_en} '{t}' contains a separator or control character; give one name."),
        ));
    }
    Ok(t.to_string())
}

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $zh:literal, $en:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, NameError> {
                parse_name(s, $zh, $en, $max).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

name_type!(
    /// A unit (单位) name: non-empty, one name, at most 60 characters.
    UnitName, "单位名称", "Unit name", 60
);
name_type!(
    /// A region (区域) name such as 汨罗市.
    RegionName, "区域名称", "Region name", 30
);
name_type!(
    /// A login name.
    UserName, "用户名", "User name", 40
);

/// What a user may do, by role (see [`crate::policy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 综合协调组: everything in its region.
    Admin,
    /// A campaign's task-force office: its campaign.
    Office,
    /// One unit: its own reports and lists.
    Reporter,
    /// Leaders: read everything, write nothing.
    Leader,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Office, Role::Reporter, Role::Leader];

    pub fn parse(s: &str) -> Result<Self, NameError> {
        match s.trim() {
            "admin" => Ok(Role::Admin),
            "office" => Ok(Role::Office),
            "reporter" => Ok(Role::Reporter),
            "leader" => Ok(Role::Leader),
            other => Err(err(
                format!("未知角色“{other}”，可选 admin、office、reporter、leader。"),
                format!("unknown role '{other}': use admin, office, reporter or leader."),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Office => "office",
            Role::Reporter => "reporter",
            Role::Leader => "leader",
        }
    }
}

/// 清单管理: the three lists a unit keeps under a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ListKind {
    Project,
    Task,
    Policy,
}

impl ListKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Project => "project",
            ListKind::Task => "task",
            ListKind::Policy => "policy",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "project" => Some(ListKind::Project),
            "task" => Some(ListKind::Task),
            "policy" => Some(ListKind::Policy),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_parse() {
        assert_eq!(UnitName::parse("  市发改局 ").unwrap().as_str(), "市发改局");
        for bad in ["", "   ", "市发改局、市财政局", "a\u{0}b", &"长".repeat(61)] {
            assert!(UnitName::parse(bad).is_err(), "{bad:?}");
        }
        let e = UnitName::parse("").unwrap_err();
        assert!(e.to_string().starts_with("单位名称不能为空"));
        assert!(serde_json::from_str::<UnitName>("\"\"").is_err());
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        assert!(Role::parse("root").is_err());
    }
}
