//! Who may do what: the one place access rules are written. The server
//! calls [`authorize`] for every request; a table test covers every role
//! against every write action.

use crate::names::Role;

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    pub user: String,
    pub role: Role,
    /// The region the user belongs to.
    pub region_id: String,
    /// For a reporter: the unit it reports for.
    pub unit_id: Option<String>,
    /// For an office: the campaign (plan number) it runs.
    pub campaign: Option<u32>,
}

/// What a request wants to do, with the facts the rules need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Read anything in the region.
    Read,
    /// Create units, aliases and merges: the registry is the coordination group's.
    ManageUnits,
    /// Add or change a list item under a task, for `unit_id`, in `campaign`.
    WriteListItem {
        unit_id: String,
        campaign: Option<u32>,
    },
    /// Correct a task's unit assignment, in `campaign`.
    CorrectAssignment { campaign: Option<u32> },
    /// Add users and tokens.
    ManageUsers,
    /// Import a plan document (or a revision of one) into the ledger. Its
    /// own action, not `ManageUnits`, because an import rewrites every
    /// campaign's tasks at once: only the coordination group may.
    ImportPlan,
    /// Open, schedule and close a campaign's dispatch cycles.
    ManageCycles { campaign: Option<u32> },
    /// Fill in a unit's report on a task of a campaign.
    WriteReport {
        unit_id: String,
        campaign: Option<u32>,
    },
    /// Accept or return reports, answer coordination requests, of a campaign.
    ReviewReport { campaign: Option<u32> },
    /// Read the audit log: it records every unit's work and every account's
    /// actions, so it is for the coordination group and the offices only.
    ReadAudit,
    /// Publish a closed cycle of `campaign` on the public page (信息公开),
    /// or withdraw it. The office answers for its campaign's figures, so
    /// it may publish them; the coordination group may publish any.
    Publish { campaign: Option<u32> },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("需要登录：请在 Authorization 头中提供 Bearer 令牌。/ Authentication required: send a Bearer token.")]
    Unauthenticated,
    #[error("无权访问该区域。/ This region is outside your access.")]
    OtherRegion,
    #[error("{0}")]
    Forbidden(&'static str),
}

/// Decides whether `who` may do `what`. `in_region` says whether the target
/// region is the caller's region or below it (the store knows the tree).
pub fn authorize(who: Option<&Principal>, in_region: bool, what: &Action) -> Result<(), Denied> {
    let p = who.ok_or(Denied::Unauthenticated)?;
    if !in_region {
        return Err(Denied::OtherRegion);
    }
    match (p.role, what) {
        (_, Action::Read) => Ok(()),
        (Role::Admin, _) => Ok(()),
        (Role::Leader, _) => Err(Denied::Forbidden(
            "领导账号只能查看。/ Leader accounts are read-only.",
        )),
        (Role::Office, Action::WriteListItem { campaign, .. })
        | (Role::Office, Action::CorrectAssignment { campaign })
        | (Role::Office, Action::ManageCycles { campaign })
        | (Role::Office, Action::WriteReport { campaign, .. })
        | (Role::Office, Action::ReviewReport { campaign })
        | (Role::Office, Action::Publish { campaign }) => {
            if campaign.is_some() && *campaign == p.campaign {
                Ok(())
            } else {
                Err(Denied::Forbidden(
                    "专班办公室只能修改本攻坚的任务。/ An office may change only its own campaign.",
                ))
            }
        }
        (Role::Reporter, Action::WriteListItem { unit_id, .. })
        | (Role::Reporter, Action::WriteReport { unit_id, .. }) => {
            if p.unit_id.as_deref() == Some(unit_id.as_str()) {
                Ok(())
            } else {
                Err(Denied::Forbidden("填报单位只能填写本单位的清单。/ A reporter may write only its own unit's lists."))
            }
        }
        (Role::Office, Action::ReadAudit) => Ok(()),
        (Role::Reporter, Action::ReadAudit) => Err(Denied::Forbidden(
            "审计日志只限综合协调组和专班办公室查看。/ The audit log is for the coordination group and the offices.",
        )),
        (Role::Office | Role::Reporter, _) => Err(Denied::Forbidden(
            "该操作只限综合协调组（管理员）。/ Only the coordination group (admin) may do this.",
        )),
    }
}

/// One report as far as reading it goes: whose it is, whether it is still
/// a draft, and which units lead its task.
#[derive(Debug, Clone, Copy)]
pub struct ReportSeen<'a> {
    pub unit_id: &'a str,
    pub draft: bool,
    pub task_leads: &'a [&'a str],
}

/// Whether `who` may read a report. Least privilege: a draft is its unit's
/// work in progress, so only that unit sees it; a reporter sees its own
/// unit's reports and, on the tasks its unit leads, the co-units' reports
/// it consolidates; admin, offices and leaders see every submitted report.
pub fn may_read_report(who: &Principal, report: ReportSeen<'_>) -> bool {
    let own = who.unit_id.as_deref() == Some(report.unit_id);
    if report.draft {
        return own && who.role == Role::Reporter;
    }
    match who.role {
        Role::Reporter => {
            own || who
                .unit_id
                .as_deref()
                .is_some_and(|u| report.task_leads.contains(&u))
        }
        Role::Admin | Role::Office | Role::Leader => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role) -> Principal {
        Principal {
            user_id: "u".into(),
            user: "u".into(),
            role,
            region_id: "r".into(),
            unit_id: Some("unit-a".into()),
            campaign: Some(1),
        }
    }

    #[test]
    fn every_role_against_every_action() {
        let own_item = Action::WriteListItem {
            unit_id: "unit-a".into(),
            campaign: Some(1),
        };
        let other_unit = Action::WriteListItem {
            unit_id: "unit-b".into(),
            campaign: Some(1),
        };
        let other_campaign = Action::WriteListItem {
            unit_id: "unit-b".into(),
            campaign: Some(2),
        };
        let fix_own = Action::CorrectAssignment { campaign: Some(1) };
        let fix_other = Action::CorrectAssignment { campaign: Some(2) };
        let cycles_own = Action::ManageCycles { campaign: Some(1) };
        let cycles_other = Action::ManageCycles { campaign: Some(2) };
        let report_own_unit = Action::WriteReport {
            unit_id: "unit-a".into(),
            campaign: Some(1),
        };
        let report_other_unit = Action::WriteReport {
            unit_id: "unit-b".into(),
            campaign: Some(1),
        };
        let report_other_campaign = Action::WriteReport {
            unit_id: "unit-b".into(),
            campaign: Some(2),
        };
        let review_own = Action::ReviewReport { campaign: Some(1) };
        let review_other = Action::ReviewReport { campaign: Some(2) };
        let publish_own = Action::Publish { campaign: Some(1) };
        let publish_other = Action::Publish { campaign: Some(2) };
        use Role::*;
        // (role, action, allowed), decided by hand from the issue's rules.
        let table = [
            (Admin, &Action::Read, true),
            (Admin, &Action::ManageUnits, true),
            (Admin, &Action::ManageUsers, true),
            (Admin, &own_item, true),
            (Admin, &other_campaign, true),
            (Admin, &fix_other, true),
            (Office, &Action::Read, true),
            (Office, &Action::ManageUnits, false),
            (Office, &Action::ManageUsers, false),
            (Office, &own_item, true),
            (Office, &other_unit, true),
            (Office, &other_campaign, false),
            (Office, &fix_own, true),
            (Office, &fix_other, false),
            (Reporter, &Action::Read, true),
            (Reporter, &Action::ManageUnits, false),
            (Reporter, &Action::ManageUsers, false),
            (Reporter, &own_item, true),
            (Reporter, &other_unit, false),
            (Reporter, &fix_own, false),
            (Leader, &Action::Read, true),
            (Leader, &Action::ManageUnits, false),
            (Leader, &own_item, false),
            (Leader, &fix_own, false),
            (Leader, &Action::ManageUsers, false),
            (Admin, &cycles_other, true),
            (Office, &cycles_own, true),
            (Office, &cycles_other, false),
            (Reporter, &cycles_own, false),
            (Leader, &cycles_own, false),
            (Admin, &report_other_unit, true),
            (Office, &report_own_unit, true),
            (Office, &report_other_campaign, false),
            (Reporter, &report_own_unit, true),
            (Reporter, &report_other_unit, false),
            (Leader, &report_own_unit, false),
            (Admin, &review_other, true),
            (Office, &review_own, true),
            (Office, &review_other, false),
            (Reporter, &review_own, false),
            (Leader, &review_own, false),
            (Admin, &Action::ImportPlan, true),
            (Office, &Action::ImportPlan, false),
            (Reporter, &Action::ImportPlan, false),
            (Leader, &Action::ImportPlan, false),
        ];
        let table = table.iter().copied().chain([
            (Admin, &Action::ReadAudit, true),
            (Office, &Action::ReadAudit, true),
            (Reporter, &Action::ReadAudit, false),
            (Leader, &Action::ReadAudit, false),
            (Admin, &publish_other, true),
            (Office, &publish_own, true),
            (Office, &publish_other, false),
            (Office, &Action::Publish { campaign: None }, false),
            (Reporter, &publish_own, false),
            (Leader, &publish_own, false),
        ]);
        for (role, action, allowed) in table {
            assert_eq!(
                authorize(Some(&who(role)), true, action).is_ok(),
                allowed,
                "{role:?} {action:?}"
            );
        }
        assert_eq!(
            authorize(None, true, &Action::Read),
            Err(Denied::Unauthenticated)
        );
        assert_eq!(
            authorize(Some(&who(Admin)), false, &Action::Read),
            Err(Denied::OtherRegion)
        );
    }

    #[test]
    fn who_reads_which_report() {
        use Role::*;
        let leads = ["unit-a"];
        let seen = |unit_id, draft| ReportSeen {
            unit_id,
            draft,
            task_leads: &leads,
        };
        // (role, report's unit, draft, readable), by hand from the rules;
        // `who` reports for unit-a, which leads the task.
        let table = [
            (Reporter, "unit-a", false, true),
            (Reporter, "unit-a", true, true),
            (Reporter, "unit-b", false, true),
            (Reporter, "unit-b", true, false),
            (Admin, "unit-b", false, true),
            (Admin, "unit-b", true, false),
            (Office, "unit-b", false, true),
            (Office, "unit-b", true, false),
            (Leader, "unit-b", false, true),
            (Leader, "unit-b", true, false),
        ];
        for (role, unit, draft, readable) in table {
            assert_eq!(
                may_read_report(&who(role), seen(unit, draft)),
                readable,
                "{role:?} {unit} draft={draft}"
            );
        }
        // A reporter of a co-unit sees neither the lead's nor other co-units' reports.
        let co = Principal {
            unit_id: Some("unit-c".into()),
            ..who(Reporter)
        };
        assert!(!may_read_report(&co, seen("unit-a", false)));
        assert!(!may_read_report(&co, seen("unit-b", false)));
        assert!(may_read_report(&co, seen("unit-c", false)));
    }
}
