//! Task forces (工作专班) from a plan's mechanism section:
//! `成立X工作专班，由A任召集人，B、C主要负责人任副召集人，成员单位包括……，
//! 专班办公室设在D`.

use crate::model::TaskForce;
use crate::units::is_unit_like;
use regex::Regex;
use std::sync::LazyLock;

static NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"成立([^，。；]{2,40}?(?:工作专班|专班|领导小组|指挥部))").unwrap()
});
static CONVENER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"由([^，。；]{2,30}?)(?:任|担任)(?:召集人|组长|总指挥|指挥长)").unwrap()
});
static DEPUTIES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[，,]([^，。；]{2,200}?)(?:任|担任)(?:副召集人|副组长|副总指挥|副指挥长)").unwrap()
});
static MEMBERS_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"成员(?:单位)?(?:包括|为|有)[:：]?([^。；]+?)(?:等)?(?:[。；]|[，,]\s*(?:\S{0,20}?办公室|专班办公室|负责))").unwrap()
});
static MEMBERS_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[，,]([^，。；]{2,}(?:、[^，。；]+)+?)(?:等)?为成员(?:单位)?").unwrap()
});
static OFFICE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"办公室设在([^，。；,]{2,30}?)(?:[，。；,]|$|负责)").unwrap());

fn units(list: &str) -> Vec<String> {
    crate::assign::unit_names(list.trim_start_matches("包括"))
}

/// `市政府办跟线负责人、市发改局、市商务粮食局主要负责人`: the role after
/// the last unit applies to every bare unit before it.
fn deputies(list: &str) -> Vec<String> {
    let parts: Vec<&str> = list
        .split('、')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let role = parts
        .last()
        .and_then(|last| {
            ["主要负责人", "主要负责同志", "负责人", "分管负责人"]
                .iter()
                .find(|r| last.ends_with(**r))
        })
        .copied();
    parts
        .iter()
        .map(|p| match role {
            Some(r) if is_unit_like(p) => format!("{p}{r}"),
            _ => p.to_string(),
        })
        .collect()
}

/// A task force described in `text`, if the text describes one.
pub fn extract(text: &str, plan: u32) -> Option<TaskForce> {
    let name = NAME.captures(text)?[1].to_string();
    let convener = CONVENER.captures(text).map(|c| c[1].to_string());
    let deputy_conveners = DEPUTIES
        .captures(text)
        .map(|c| deputies(&c[1]))
        .unwrap_or_default();
    let members = MEMBERS_AFTER
        .captures(text)
        .or_else(|| MEMBERS_BEFORE.captures(text))
        .map(|c| units(&c[1]))
        .unwrap_or_default();
    let office = OFFICE.captures(text).map(|c| c[1].to_string());
    Some(TaskForce {
        plan,
        name,
        convener,
        deputy_conveners,
        members,
        office,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_task_force() {
        let t = "成立内需扩量提效攻坚行动工作专班，由市政府分管副市长任召集人，市政府办跟线负责人、市发改局、市商务粮食局主要负责人任副召集人，成员单位包括高新区管委会、市委督查室、归义街道和新市街道等，专班办公室设在市发改局，负责日常协调和调度。";
        let tf = extract(t, 1).unwrap();
        assert_eq!(tf.name, "内需扩量提效攻坚行动工作专班");
        assert_eq!(tf.convener.as_deref(), Some("市政府分管副市长"));
        assert_eq!(
            tf.deputy_conveners,
            vec![
                "市政府办跟线负责人",
                "市发改局主要负责人",
                "市商务粮食局主要负责人"
            ]
        );
        assert_eq!(
            tf.members,
            vec!["高新区管委会", "市委督查室", "归义街道", "新市街道"]
        );
        assert_eq!(tf.office.as_deref(), Some("市发改局"));
    }

    #[test]
    fn members_listed_before() {
        let t = "成立实施民生补短提质攻坚工作专班，由市政府分管副市长任召集人，市政府督查室、市发改局、市残联等为成员单位，工作专班办公室设在市人社局，负责日常协调和调度工作。";
        let tf = extract(t, 7).unwrap();
        assert_eq!(tf.members, vec!["市政府督查室", "市发改局", "市残联"]);
        assert_eq!(tf.office.as_deref(), Some("市人社局"));
    }
}
