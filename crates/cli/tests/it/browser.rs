//! A browser without JavaScript for the page tests: urlencoded forms, a cookie jar, and
//! 303 redirects left unfollowed so that tests can check them.

use motcua_testkit::TestApp;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// A browser: its own cookie jar, redirects not followed.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    /// The value of the hidden CSRF input of the page's forms.
    pub fn csrf(&self) -> String {
        let at = self.body.find(r#"name="csrf_token" value=""#).unwrap_or_else(|| panic!("no csrf input: {}", self.body));
        let rest = &self.body[at + r#"name="csrf_token" value=""#.len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

pub fn form_encode(fields: &[(&str, String)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Browser {
            http: reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            base: app.url.clone(),
        }
    }

    async fn page(resp: reqwest::Response) -> Page {
        let status = resp.status();
        let headers = resp.headers().clone();
        Page { status, headers, body: resp.text().await.unwrap() }
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::page(self.http.get(format!("{}{path}", self.base)).send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, fields: &[(&str, String)]) -> Page {
        self.post_with(path, fields, None).await
    }

    pub async fn post_with(&self, path: &str, fields: &[(&str, String)], origin: Option<&str>) -> Page {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_encode(fields));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        Self::page(req.send().await.unwrap()).await
    }

    /// POSTs a form and reads the answer as bytes (a PDF): (status, content type, body).
    pub async fn post_bytes(&self, path: &str, fields: &[(&str, String)]) -> (StatusCode, String, Vec<u8>) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_encode(fields))
            .send()
            .await
            .unwrap();
        let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        (r.status(), ct, r.bytes().await.unwrap().to_vec())
    }

    pub async fn login(app: &TestApp, username: &str) -> Self {
        let b = Browser::new(app);
        let p = b
            .post("/dang-nhap", &[("username", username.into()), ("password", "Motcua@2026".into()), ("next", "/".into())])
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "login {username}: {}", p.body);
        b
    }
}
