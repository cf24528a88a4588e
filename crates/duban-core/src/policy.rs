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
    /// Read the leaders' dashboard (看板) and the child regions' roll-up.
    /// Leaders, the coordination group and offices (an office's view is
    /// limited to its campaign by the page); reporters have their workbench.
    /// The region tree is the one rule for regions: a user of a city reads
    /// its counties' dashboards, a county user never a sibling's.
    ReadDashboard,
    /// Plan, record and cancel a campaign's supervision visits (督导), turn
    /// findings into rectification items and put them under listed
    /// supervision (挂牌督办).
    ManageSupervision { campaign: Option<u32> },
    /// Report progress and evidence on a rectification item whose units
    /// are `unit_ids` (lead and co), in `campaign`.
    ReportRectification {
        unit_ids: Vec<String>,
        campaign: Option<u32>,
    },
    /// Read one rectification item whose units (lead and co) are
    /// `unit_ids`: see [`may_read_rectification`].
    ReadRectification { unit_ids: Vec<String> },
    /// Verify a rectification item: close it (销号) or return it. Closing
    /// a listed item (挂牌督办) needs the coordination group's verification.
    ReviewRectification {
        campaign: Option<u32>,
        listed: bool,
        close: bool,
    },
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
        (_, Action::ReadRectification { unit_ids }) => {
            let ids: Vec<&str> = unit_ids.iter().map(String::as_str).collect();
            if may_read_rectification(p, &ids) {
                Ok(())
            } else {
                Err(Denied::Forbidden(
                    "填报单位只能查看本单位的整改事项。/ A reporter sees only its own unit's rectification items.",
                ))
            }
        }
        (Role::Leader | Role::Office, Action::ReadDashboard) => Ok(()),
        (Role::Leader, _) => Err(Denied::Forbidden(
            "领导账号只能查看。/ Leader accounts are read-only.",
        )),
        (
            Role::Office,
            Action::ReviewRectification {
                listed: true,
                close: true,
                ..
            },
        ) => Err(Denied::Forbidden(
            "挂牌督办事项须由综合协调组（管理员）核验销号。/ A listed item is closed only by the coordination group (admin).",
        )),
        (Role::Office, Action::WriteListItem { campaign, .. })
        | (Role::Office, Action::ManageSupervision { campaign })
        | (Role::Office, Action::ReportRectification { campaign, .. })
        | (Role::Office, Action::ReviewRectification { campaign, .. })
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
        (Role::Reporter, Action::ReportRectification { unit_ids, .. }) => {
            if p.unit_id.as_ref().is_some_and(|u| unit_ids.contains(u)) {
                Ok(())
            } else {
                Err(Denied::Forbidden("填报单位只能报送本单位的整改事项。/ A reporter may report only its own unit's rectification items."))
            }
        }
        (Role::Office, Action::ReadAudit) => Ok(()),
        (Role::Reporter, Action::ReadDashboard) => Err(Denied::Forbidden(
            "看板供领导、综合协调组和专班办公室使用；填报单位请使用工作台。/ The dashboard is for leaders, the coordination group and offices.",
        )),
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

/// Whether `who` may see a rectification item whose units (lead and co)
/// are `unit_ids`: a reporter sees only its own unit's items (a finding
/// names a unit's shortcomings; other units have no business reading it);
/// admin, offices and leaders see all of the region's.
pub fn may_read_rectification(who: &Principal, unit_ids: &[&str]) -> bool {
    match who.role {
        Role::Reporter => who
            .unit_id
            .as_deref()
            .is_some_and(|u| unit_ids.contains(&u)),
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
            (Admin, &Action::ReadDashboard, true),
            (Office, &Action::ReadDashboard, true),
            (Reporter, &Action::ReadDashboard, false),
            (Leader, &Action::ReadDashboard, true),
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
    fn supervision_actions() {
        use Role::*;
        let manage = |c| Action::ManageSupervision { campaign: Some(c) };
        let report = |unit: &str, c| Action::ReportRectification {
            unit_ids: vec!["unit-z".into(), unit.into()],
            campaign: Some(c),
        };
        let read = |units: &[&str]| Action::ReadRectification {
            unit_ids: units.iter().map(|u| u.to_string()).collect(),
        };
        let review = |c, listed, close| Action::ReviewRectification {
            campaign: Some(c),
            listed,
            close,
        };
        // (role, action, allowed), by hand from the issue: an office works
        // on its own campaign, a unit on its own items, and a listed item
        // is closed only by an admin (the office may still return it).
        let table = [
            (Admin, manage(2), true),
            (Office, manage(1), true),
            (Office, manage(2), false),
            (Reporter, manage(1), false),
            (Leader, manage(1), false),
            (Admin, report("unit-b", 2), true),
            (Office, report("unit-b", 1), true),
            (Office, report("unit-b", 2), false),
            (Reporter, report("unit-a", 2), true),
            (Reporter, report("unit-b", 1), false),
            (Leader, report("unit-a", 1), false),
            (Admin, review(2, false, true), true),
            (Admin, review(1, true, true), true),
            (Office, review(1, false, true), true),
            (Office, review(1, false, false), true),
            (Office, review(1, true, false), true),
            (Office, review(1, true, true), false),
            (Office, review(2, false, true), false),
            (Reporter, review(1, false, true), false),
            (Leader, review(1, false, false), false),
            (Admin, read(&[]), true),
            (Office, read(&["unit-b"]), true),
            (Leader, read(&["unit-b"]), true),
            (Reporter, read(&["unit-z", "unit-a"]), true),
            (Reporter, read(&["unit-b"]), false),
        ];
        for (role, action, allowed) in table {
            assert_eq!(
                authorize(Some(&who(role)), true, &action).is_ok(),
                allowed,
                "{role:?} {action:?}"
            );
        }
        // (role, item's units, readable)
        let reads = [
            (Reporter, vec!["unit-a", "unit-b"], true),
            (Reporter, vec!["unit-b"], false),
            (Office, vec!["unit-b"], true),
            (Leader, vec!["unit-b"], true),
            (Admin, vec![], true),
        ];
        for (role, units, readable) in reads {
            assert_eq!(
                may_read_rectification(&who(role), &units),
                readable,
                "{role:?} {units:?}"
            );
        }
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
