//! Screenshots of the main pages for people to look at:
//! `cargo run -p duban-web --example screenshots -- BASE_URL OUT_DIR`
//! against a running `duban demo` (see `scripts/screenshots`). Signs in as
//! each role in headless Chromium and saves PNGs at 1280×800 and 375×812.

#[path = "../tests/support/browser.rs"]
mod browser;

use browser::Browser;
use fantoccini::Locator;

const PASSWORD: &str = "duban-demo";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(base), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("用法 / usage: screenshots BASE_URL OUT_DIR");
        std::process::exit(2);
    };
    let out = std::path::PathBuf::from(out);
    std::fs::create_dir_all(&out).expect("create the output folder");
    for (w, h) in [(1280u32, 800u32), (375, 812)] {
        let b = Browser::start(w, h).await;
        let shot = |name: &str| out.join(format!("{name}-{w}x{h}.png"));
        b.goto(&format!("{base}/login")).await;
        b.screenshot(&shot("01-login")).await;

        // Reporter: workbench, a returned report's form, its history.
        b.sign_in(base, "unit01", PASSWORD).await;
        b.screenshot(&shot("02-workbench")).await;
        let returned = b
            .client
            .find(Locator::Css("tr.returned a.button"))
            .await
            .or(b.client.find(Locator::Css("td a.button")).await);
        if let Ok(link) = returned {
            if let Ok(Some(href)) = link.attr("href").await {
                b.goto(&format!("{base}{href}")).await;
                b.screenshot(&shot("03-report-form")).await;
                b.goto(&format!("{base}{href}/history")).await;
                b.screenshot(&shot("04-report-history")).await;
            }
        }

        // Office: the desk, a task page, cycles, coordination requests.
        b.sign_in(base, "office1", PASSWORD).await;
        b.screenshot(&shot("05-desk")).await;
        let url = b.client.current_url().await.expect("url");
        let region = url.path().trim_end_matches("/desk").to_string();
        if let Ok(link) = b.client.find(Locator::Css("table.cards td a")).await {
            if let Ok(Some(href)) = link.attr("href").await {
                b.goto(&format!("{base}{href}")).await;
                b.screenshot(&shot("06-task")).await;
            }
        }
        b.goto(&format!("{base}{region}/cycles")).await;
        b.screenshot(&shot("07-cycles")).await;
        b.goto(&format!("{base}{region}/coordination")).await;
        b.screenshot(&shot("08-coordination")).await;

        // Admin and leader homes.
        b.sign_in(base, "admin", PASSWORD).await;
        b.screenshot(&shot("09-admin-home")).await;
        b.sign_in(base, "leader", PASSWORD).await;
        b.screenshot(&shot("10-leader-home")).await;
        b.goto(&format!("{base}/account")).await;
        b.screenshot(&shot("11-account")).await;

        // The leaders' dashboard: the county's (the leader's home), one
        // campaign drilled into, and the city's roll-up of its counties.
        b.sign_in(base, "leader", PASSWORD).await;
        let dash = b.client.current_url().await.expect("url");
        b.screenshot(&shot("12-dashboard")).await;
        b.goto(&format!("{base}{}?plan=1", dash.path())).await;
        b.screenshot(&shot("13-dashboard-campaign")).await;
        b.sign_in(base, "cityleader", PASSWORD).await;
        b.screenshot(&shot("14-city-dashboard")).await;
        let city = b.client.current_url().await.expect("url");
        b.goto(&format!(
            "{base}{}",
            city.path().replace("/dashboard", "/regions")
        ))
        .await;
        b.screenshot(&shot("15-regions")).await;

        // 督导整改: the office's overview, a visit, a listed item; a unit's items.
        b.sign_in(base, "office1", PASSWORD).await;
        b.goto(&format!("{base}{region}/supervision")).await;
        b.screenshot(&shot("16-supervision")).await;
        let visit = b
            .client
            .find(Locator::Css("tbody tr:nth-child(3) a[href*='/visits/']"))
            .await
            .ok();
        if let Some(Ok(Some(href))) = futures_href(visit).await {
            b.goto(&format!("{base}{href}")).await;
            b.screenshot(&shot("17-visit")).await;
        }
        b.goto(&format!("{base}{region}/supervision")).await;
        let listed = b
            .client
            .find(Locator::Css("section.listed a[href*='/rectifications/']"))
            .await
            .ok();
        if let Some(Ok(Some(href))) = futures_href(listed).await {
            b.goto(&format!("{base}{href}")).await;
            b.screenshot(&shot("18-rectification")).await;
        }
        b.sign_in(base, "unit01", PASSWORD).await;
        if let Ok(section) = b.client.find(Locator::Css("#rectifications")).await {
            let _ = b
                .client
                .execute(
                    "arguments[0].scrollIntoView();",
                    vec![serde_json::to_value(&section).unwrap_or_default()],
                )
                .await;
            b.screenshot(&shot("19-workbench-rectifications")).await;
        }
        // 信息公开: the office's 发布 page, then the public page, anonymous.
        b.sign_in(base, "office1", PASSWORD).await;
        b.goto(&format!("{base}{region}/publish")).await;
        b.screenshot(&shot("20-publish")).await;
        b.client.delete_all_cookies().await.ok();
        let public = region.replacen("/r/", "/public/", 1);
        b.goto(&format!("{base}{public}")).await;
        b.screenshot(&shot("21-public")).await;
        b.close().await;
    }
    println!("截图已保存到 / screenshots saved in {}", out.display());
}

/// The `href` of a link that may not be on the page.
async fn futures_href(
    link: Option<fantoccini::elements::Element>,
) -> Option<Result<Option<String>, fantoccini::error::CmdError>> {
    match link {
        Some(l) => Some(l.attr("href").await),
        None => None,
    }
}
