//! A populated ledger served on a random port, shared by the hardening
//! suites: the sample plan imported into 汨罗市, a sibling region 平江县,
//! one user per role, and an open cycle of campaigns 1 and 2.
#![allow(dead_code)]

use duban_core::dates::Date;
use duban_core::names::{RegionName, Role, UserName};
use duban_store::{NewUser, Store, TaskFilter, TaskRow};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;

pub const R: &str = "/api/v1/regions/%E6%B1%A8%E7%BD%97%E5%B8%82"; // 汨罗市

pub struct App {
    pub base: String,
    pub client: Client,
    pub store: Store,
    pub tokens: HashMap<&'static str, String>,
    pub region_id: String,
    pub tasks: Vec<TaskRow>,
    /// A task of campaign 1 led by 市人社局, and one of campaign 2.
    pub task1: String,
    pub task2: String,
    /// Open cycles of campaigns 1 and 2, due in a week.
    pub cycle1: String,
    pub cycle2: String,
}

/// Today in China Standard Time, as the server computes it.
pub fn today() -> Date {
    duban_web::today()
}

impl App {
    pub async fn call(
        &self,
        who: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(w) = who {
            req = req.bearer_auth(&self.tokens[w]);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, who: &str, path: &str) -> (StatusCode, Value) {
        self.call(Some(who), Method::GET, path, None).await
    }

    pub fn task(&self, id: &str) -> &TaskRow {
        self.tasks.iter().find(|t| t.id == id).expect("task")
    }
}

pub fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(rel),
    )
    .expect("fixture")
}

/// The users: name, role, unit, campaign.
pub const USERS: [(&str, Role, Option<&str>, Option<u32>); 6] = [
    ("admin", Role::Admin, None, None),
    ("office1", Role::Office, None, Some(1)),
    ("office2", Role::Office, None, Some(2)),
    ("rsj", Role::Reporter, Some("市人社局"), None),
    ("fgj", Role::Reporter, Some("市发改局"), None),
    ("leader", Role::Leader, None, None),
];

pub async fn spawn(store: Store) -> App {
    let plan = duban_plan::parse(&fixture("sample/miluo-2025-qida-gongjian.txt"), "miluo.txt")
        .expect("sample parses");
    let yueyang = RegionName::parse("岳阳市").expect("name");
    let miluo = RegionName::parse("汨罗市").expect("name");
    let region = store
        .ensure_region(&miluo, Some(&yueyang), "test")
        .await
        .expect("region");
    store
        .ensure_region(
            &RegionName::parse("平江县").expect("name"),
            Some(&yueyang),
            "test",
        )
        .await
        .expect("region");
    store.import(&region, &plan, "test").await.expect("import");
    let mut tokens = HashMap::new();
    for (name, role, unit, campaign) in USERS {
        let new = NewUser {
            name: UserName::parse(name).expect("name"),
            role,
            unit: unit.map(str::to_string),
            campaign,
            password: None,
        };
        store.add_user(&region.id, new, "test").await.expect("user");
        tokens.insert(
            name,
            store.create_token(name, "test").await.expect("token").1,
        );
    }
    let tasks = store
        .tasks(&region.id, &TaskFilter::default())
        .await
        .expect("tasks");
    let task1 = tasks
        .iter()
        .find(|t| t.plan == 1 && t.lead_units[0].name == "市人社局")
        .expect("task1")
        .id
        .clone();
    let task2 = tasks
        .iter()
        .find(|t| t.plan == 2)
        .expect("task2")
        .id
        .clone();
    let today = today();
    let mut cycles = Vec::new();
    for plan in [1, 2] {
        cycles.push(
            store
                .open_cycle(
                    &region.id,
                    plan,
                    today.add_days(-7),
                    today.add_days(7),
                    "regular",
                    "test",
                )
                .await
                .expect("cycle")
                .id,
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(duban_web::serve(
        listener,
        store.clone(),
        duban_web::Options::default(),
    ));
    App {
        base,
        client: Client::new(),
        store,
        tokens,
        region_id: region.id,
        tasks,
        task1,
        task2,
        cycle2: cycles.pop().expect("cycle2"),
        cycle1: cycles.pop().expect("cycle1"),
    }
}
