//! A real browser for the page tests: Debian's `/usr/bin/chromedriver` on a free loopback
//! port driving `/usr/bin/chromium` headless through WebDriver (thirtyfour), with helpers
//! to log in through the login page, switch between phone and desktop widths, take
//! screenshots into `target/e2e-screenshots/` and check a page with axe-core.
//!
//! Nothing is downloaded: without Chromium or its driver the test fails and says which
//! Debian packages to install. axe-core is vendored in `crates/testkit/assets/` (MPL-2.0).

use crate::{Backend, TestApp};
use serde_json::Value;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use thirtyfour::ChromiumLikeCapabilities;
use thirtyfour::prelude::*;

pub use thirtyfour::{By, Key};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const AXE: &str = include_str!("../assets/axe.min.js");

/// How long a step may wait for its condition (a page, an element) before the test fails:
/// generous, because a loaded CI machine is slow, and never spent when the condition holds.
pub const WAIT: Duration = Duration::from_secs(30);
/// How often a waiting step looks again.
pub const POLL: Duration = Duration::from_millis(50);

/// The two widths every key page is checked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewport {
    /// 360 × 800, a small phone.
    Phone,
    /// 1366 × 900, a common office screen.
    Desktop,
}

impl Viewport {
    pub const BOTH: [Viewport; 2] = [Viewport::Phone, Viewport::Desktop];

    pub fn name(self) -> &'static str {
        match self {
            Viewport::Phone => "phone",
            Viewport::Desktop => "desktop",
        }
    }

    fn size(self) -> (u32, u32) {
        match self {
            Viewport::Phone => (360, 800),
            Viewport::Desktop => (1366, 900),
        }
    }
}

/// One headless Chromium with its own driver process and a fresh profile.
pub struct Browser {
    pub driver: WebDriver,
    /// `http://127.0.0.1:PORT` of the app under test.
    pub base: String,
    shots: PathBuf,
    driver_process: Child,
    _profile: tempfile::TempDir,
    quit: bool,
}

fn require(path: &str) {
    assert!(
        Path::new(path).exists(),
        "{path} is missing: the browser tests drive Debian's Chromium; install it with \
         `apt-get install chromium chromium-driver` (no browser is ever downloaded)"
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

/// The workspace's target directory: `CARGO_TARGET_DIR`, else the one holding this test binary
/// (`<target>/<profile>/deps/<binary>`).
pub fn target_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let exe = std::env::current_exe().expect("test binary path");
    exe.ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "deps"))
        .and_then(|deps| deps.parent()?.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("target"))
}

impl Browser {
    /// Starts chromedriver and a headless Chromium for `app`. Screenshots of this browser go
    /// to `target/e2e-screenshots/<backend>/`.
    pub async fn start(app: &TestApp) -> Browser {
        require(CHROMIUM);
        require(CHROMEDRIVER);
        let port = free_port();
        let mut cmd = Command::new(CHROMEDRIVER);
        cmd.arg(format!("--port={port}")).arg("--allowed-ips=127.0.0.1").stdin(Stdio::null()).stdout(Stdio::null());
        cmd.stderr(Stdio::null());
        // Its own process group, so that dropping the browser ends the driver and every
        // Chromium process it started, and nothing else.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let driver_process = cmd.spawn().unwrap_or_else(|e| panic!("starting {CHROMEDRIVER}: {e}"));
        let url = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "chromedriver did not listen on {url} within 20 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(CHROMIUM).expect("binary");
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--lang=vi-VN",
        ] {
            caps.add_arg(arg).expect("arg");
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display())).expect("arg");
        let mut b = Browser {
            driver: WebDriver::new(url, caps).await.expect("a WebDriver session with headless Chromium"),
            base: app.url.clone(),
            shots: target_dir().join("e2e-screenshots").join(match app.backend {
                Backend::Sqlite => "sqlite",
                Backend::Postgres => "postgres",
            }),
            driver_process,
            _profile: profile,
            quit: false,
        };
        std::fs::create_dir_all(&b.shots).expect("screenshot dir");
        b.driver.set_script_timeout(Duration::from_secs(60)).await.expect("script timeout");
        b.driver.set_page_load_timeout(Duration::from_secs(30)).await.expect("page load timeout");
        b.viewport(Viewport::Desktop).await;
        b.quit = false;
        b
    }

    /// Opens a path of the app (`/thu-tuc`) or a full URL (`http:`, `data:`).
    pub async fn open(&self, path: &str) {
        let url = if path.starts_with("http:") || path.starts_with("https:") || path.starts_with("data:") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        self.driver.goto(&url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The current path and query (`/ho-so-cua-toi?lang=en`).
    pub async fn path(&self) -> String {
        let u = self.driver.current_url().await.expect("url");
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    /// Sets the window so that the page's viewport is exactly the given size.
    pub async fn viewport(&self, v: Viewport) {
        let (w, h) = v.size();
        self.driver.set_window_rect(0, 0, w, h).await.expect("window size");
        // The window includes the browser's frame; correct it from what the page sees.
        let inner: Vec<i64> = self
            .driver
            .execute("return [window.innerWidth, window.innerHeight]", vec![])
            .await
            .expect("inner")
            .convert()
            .unwrap();
        let (dw, dh) = (w as i64 - inner[0], h as i64 - inner[1]);
        if dw != 0 || dh != 0 {
            self.driver.set_window_rect(0, 0, (w as i64 + dw) as u32, (h as i64 + dh) as u32).await.expect("window size");
        }
    }

    /// Emulates a CSS media type ("print" to check print styles, "" to go back to the screen).
    pub async fn media(&self, media: &str) {
        self.driver
            .cdp()
            .send_raw("Emulation.setEmulatedMedia", serde_json::json!({ "media": media }))
            .await
            .expect("emulate media");
    }

    /// The computed value of a CSS property of the first element matching `css`.
    pub async fn style(&self, css: &str, property: &str) -> String {
        self.driver
            .execute(
                "return getComputedStyle(document.querySelector(arguments[0]))[arguments[1]]",
                vec![css.into(), property.into()],
            )
            .await
            .unwrap_or_else(|e| panic!("style of {css}: {e}"))
            .convert()
            .expect("a string")
    }

    /// Saves a PNG of the whole page as `<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let path = self.shots.join(format!("{name}.png"));
        let png = self.driver.screenshot_as_png().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Screenshots the current page at phone and desktop widths (`<name>-phone.png`,
    /// `<name>-desktop.png`), checking it with axe at each, and leaves the desktop width set.
    pub async fn capture(&self, name: &str) {
        for v in Viewport::BOTH {
            self.viewport(v).await;
            self.screenshot(&format!("{name}-{}", v.name())).await;
            self.axe().await;
        }
    }

    /// Runs axe-core on the current page and fails listing every violation of impact
    /// `serious` or `critical` (rule, help, and the elements concerned).
    pub async fn axe(&self) {
        let bad = self.axe_violations().await;
        let at = self.path().await;
        assert!(bad.is_empty(), "axe found {} serious or critical violations on {at}:\n{}", bad.len(), bad.join("\n"));
    }

    /// The serious and critical axe-core violations of the current page, one line each
    /// (`[impact] rule: help` and the elements concerned).
    pub async fn axe_violations(&self) -> Vec<String> {
        let loaded: bool =
            self.driver.execute("return typeof window.axe === 'object'", vec![]).await.expect("probe axe").convert().unwrap();
        if !loaded {
            self.driver.execute(AXE, vec![]).await.expect("inject axe-core");
        }
        let ret = self
            .driver
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
window.axe.run(document, {resultTypes: ['violations']})
  .then(r => done(JSON.stringify(r.violations)))
  .catch(e => done(JSON.stringify({error: String(e)})));"#,
                vec![],
            )
            .await
            .expect("axe.run");
        let text: String = ret.convert().expect("axe result");
        let v: Value = serde_json::from_str(&text).expect("axe JSON");
        assert!(v.get("error").is_none(), "axe failed: {v}");
        v.as_array()
            .expect("violations")
            .iter()
            .filter(|x| matches!(x["impact"].as_str(), Some("serious" | "critical")))
            .map(|x| {
                let nodes: Vec<String> = x["nodes"]
                    .as_array()
                    .map(|ns| {
                        ns.iter().map(|n| format!("{} ({})", n["target"], n["failureSummary"].as_str().unwrap_or(""))).collect()
                    })
                    .unwrap_or_default();
                format!(
                    "[{}] {}: {}\n    {}",
                    x["impact"].as_str().unwrap_or(""),
                    x["id"].as_str().unwrap_or(""),
                    x["help"].as_str().unwrap_or(""),
                    nodes.join("\n    ")
                )
            })
            .collect()
    }

    /// The first element matching `by`, waiting (up to [`WAIT`]) until the page has one: a page
    /// still loading or a script still adding it is waited for, never a fixed time.
    pub async fn find(&self, by: By) -> WebElement {
        let what = format!("{by:?}");
        match self.driver.query(by).wait(WAIT, POLL).first().await {
            Ok(e) => e,
            Err(e) => panic!("no element {what} on {}: {e}", self.path().await),
        }
    }

    pub async fn by_id(&self, id: &str) -> WebElement {
        self.find(By::Id(id)).await
    }

    /// The visible text of the page's `<main>`.
    pub async fn main_text(&self) -> String {
        self.find(By::Tag("main")).await.text().await.expect("text")
    }

    /// Replaces the value of an input and types `text` into it.
    pub async fn fill(&self, id: &str, text: &str) {
        let e = self.by_id(id).await;
        e.clear().await.expect("clear");
        e.send_keys(text).await.expect("type");
    }

    /// Clicks the button (or link) whose text contains `text` and waits for the page it leads
    /// to (every such click in the tests navigates); returns that page's path.
    pub async fn click_text(&self, text: &str) -> String {
        let xpath = format!("//*[self::button or self::a][contains(normalize-space(.), '{text}')]");
        self.follow(By::XPath(&xpath)).await
    }

    /// [`Browser::click_text`], then checks that the new page's path starts with `prefix`.
    pub async fn click_to(&self, text: &str, prefix: &str) -> String {
        let at = self.click_text(text).await;
        assert!(at.starts_with(prefix), "clicking {text:?} led to {at}, expected {prefix}…: {}", self.main_text().await);
        at
    }

    /// [`Browser::follow`], then checks that the new page's path starts with `prefix`.
    pub async fn follow_to(&self, by: By, prefix: &str) -> String {
        let what = format!("{by:?}");
        let at = self.follow(by).await;
        assert!(at.starts_with(prefix), "following {what} led to {at}, expected {prefix}…: {}", self.main_text().await);
        at
    }

    /// Clicks the element (a link, a submit button) and waits for the page it leads to;
    /// returns that page's path.
    pub async fn follow(&self, by: By) -> String {
        let what = format!("{by:?}");
        self.next_page(async {
            self.find(by).await.click().await.unwrap_or_else(|e| panic!("click {what}: {e}"));
        })
        .await
    }

    /// Runs `action` (a click, a key press, a script) that makes the browser load another
    /// document, and waits until that document has replaced the current one and finished
    /// loading; returns its path. The current document is marked first, so that nothing is
    /// read from it while the browser is still on it: the same path posted to itself (a form
    /// that comes back with errors, or redirects to the same page) is a new page too.
    pub async fn next_page(&self, action: impl Future<Output = ()>) -> String {
        let mark = self.mark_page().await;
        let from = self.path().await;
        action.await;
        let start = Instant::now();
        loop {
            // While the old document unloads, scripts may fail ("no such execution context",
            // a detached frame): that is "not yet".
            let state = self
                .driver
                .execute("return [window.__motcuaPage === arguments[0], document.readyState]", vec![mark.clone().into()])
                .await
                .ok()
                .and_then(|r| r.convert::<(bool, String)>().ok());
            if let Some((false, ready)) = &state
                && ready == "complete"
            {
                return self.path().await;
            }
            assert!(start.elapsed() < WAIT, "no new page after leaving {from} ({state:?} after {WAIT:?})");
            tokio::time::sleep(POLL).await;
        }
    }

    /// Puts a fresh mark on the current document (its `window`, which a navigation replaces).
    async fn mark_page(&self) -> String {
        let mark = uuid::Uuid::new_v4().to_string();
        self.driver.execute("window.__motcuaPage = arguments[0]", vec![mark.clone().into()]).await.expect("mark the page");
        mark
    }

    /// The element that has the keyboard focus.
    pub async fn focused(&self) -> WebElement {
        self.driver.active_element().await.expect("active element")
    }

    /// Presses Tab until the element with this id has the focus (at most `max` times) and
    /// fails if it never does: proves the field is reachable by keyboard.
    pub async fn tab_to(&self, id: &str, max: usize) {
        for _ in 0..max {
            if self.focused().await.id().await.ok().flatten().as_deref() == Some(id) {
                return;
            }
            self.press(Key::Tab).await;
        }
        assert_eq!(self.focused().await.id().await.ok().flatten().as_deref(), Some(id), "#{id} not reached with {max} Tabs");
    }

    /// Types into the focused element, replacing its value (Ctrl+A, Backspace), keyboard only.
    pub async fn type_here(&self, text: &str) {
        self.driver
            .action_chain()
            .key_down(Key::Control)
            .send_keys("a")
            .key_up(Key::Control)
            .send_keys(Key::Backspace)
            .send_keys(text)
            .perform()
            .await
            .expect("type");
    }

    /// Presses a key, as the keyboard does: on whatever has the focus.
    pub async fn press(&self, key: Key) {
        self.driver.action_chain().send_keys(key).perform().await.expect("key");
    }

    /// The HTTP status of the page now shown (the Navigation Timing entry).
    pub async fn status(&self) -> u16 {
        self.driver
            .execute("return performance.getEntriesByType('navigation')[0].responseStatus", vec![])
            .await
            .expect("navigation status")
            .convert()
            .expect("a number")
    }

    /// Runs `script` (which must call `done(value)`) and returns the value as a string.
    pub async fn eval_async(&self, script: &str) -> String {
        let ret = self
            .driver
            .execute_async(&format!("const done = arguments[arguments.length - 1];\n{script}"), vec![])
            .await
            .expect("script");
        ret.convert().expect("a string")
    }

    /// Logs in through the real login page (`/dang-nhap`) with the demo password (and
    /// checks that page with axe on the way).
    pub async fn login(&self, username: &str) {
        self.open("/dang-nhap?next=/").await;
        self.axe().await;
        self.fill("username", username).await;
        self.fill("password", motcua_app::seed::DEMO_PASSWORD).await;
        let after = self.follow(By::Css("main form button[type=submit]")).await;
        assert!(!after.starts_with("/dang-nhap"), "login as {username} failed: {}", self.main_text().await);
    }

    /// Ends the WebDriver session, then the driver and its browsers.
    pub async fn quit(mut self) {
        self.quit = true;
        let _ = self.driver.clone().quit().await;
        self.kill();
    }

    fn kill(&mut self) {
        let pgid = self.driver_process.id();
        let _ = Command::new("kill").arg("-KILL").arg("--").arg(format!("-{pgid}")).status();
        let _ = self.driver_process.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.quit {
            self.kill();
        }
    }
}
