//! Petitions (PAKN, issue #18) for the public: `/phan-anh` files one, with or without an
//! account (name and contact optional; a rate per address instead of a captcha);
//! `/phan-anh/theo-doi` follows it by tracking code and secret, where the petitioner adds
//! what was asked, likes or dislikes the answer, or complains about the result;
//! `/phan-anh/tra-loi` lists the published answers, personal data removed.

use crate::kit::ClientAddr;
use crate::kit::form::{FormFields, app_field_errors};
use crate::kit::http::origin_ok;
use crate::kit::layout::html;
use crate::kit::session::{optional_user, origin_refused};
use crate::kit::{Frame, Lang, Route, error_page, hour_day, other_lang_href, title_with_errors};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use motcua_app::usecases::petitions::PetitionRow;
use motcua_app::usecases::petitions::{self as uc, FileInput, PublicAnswer};
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use motcua_domain::petition::{Kind, State as PState};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FileForm {
    kind: String,
    unit: String,
    dossier_code: String,
    name: String,
    contact: String,
    body: String,
}

#[derive(Template)]
#[template(path = "public/petition_form.html")]
struct FormView {
    lang: Lang,
    frame: Frame,
    errors: Vec<FieldError>,
    form: FileForm,
    units: Vec<(String, String)>,
    /// The tracking code and secret once filed.
    filed: Option<(String, String)>,
    signed_in: bool,
}

impl FormView {
    fn kind_is(&self, k: &str) -> bool {
        self.form.kind == k || (self.form.kind.is_empty() && k == "quy_dinh")
    }
}

async fn form_view(
    ctx: &AppContext,
    lang: Lang,
    form: FileForm,
    errors: Vec<FieldError>,
    filed: Option<(String, String)>,
    signed_in: bool,
) -> Result<FormView, AppError> {
    let title = if filed.is_some() {
        lang.t("Đã gửi phản ánh, kiến nghị", "Petition sent").to_string()
    } else {
        title_with_errors(lang, lang.t("Gửi phản ánh, kiến nghị", "Send a petition"), &errors)
    };
    Ok(FormView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::Petitions.path())),
        errors,
        form,
        units: uc::units(ctx).await?,
        filed,
        signed_in,
    })
}

/// `GET /phan-anh`.
pub async fn form(State(ctx): State<AppContext>, lang: Lang, headers: HeaderMap) -> Response {
    let signed_in = optional_user(&ctx, &headers).await.is_some();
    match form_view(&ctx, lang, FileForm::default(), Vec::new(), None, signed_in).await {
        Ok(v) => html(StatusCode::OK, &v),
        Err(e) => error_page(lang, e),
    }
}

/// `POST /phan-anh`.
pub async fn submit(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    lang: Lang,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if !origin_ok(&headers) {
        return origin_refused(lang);
    }
    let f: FileForm = match FormFields(f).typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let user = optional_user(&ctx, &headers).await;
    let some = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
    let x = FileInput {
        kind: some(&f.kind),
        unit: some(&f.unit),
        dossier_code: some(&f.dossier_code),
        name: some(&f.name),
        contact: some(&f.contact),
        body: f.body.clone(),
    };
    let signed_in = user.is_some();
    let (status, view) = match uc::file(&ctx, user.as_ref(), x, client).await {
        Ok(filed) => (
            StatusCode::OK,
            form_view(&ctx, lang, FileForm::default(), Vec::new(), Some((filed.petition.code, filed.secret)), signed_in).await,
        ),
        Err(e @ AppError::Validation(_)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, form_view(&ctx, lang, f, app_field_errors(&e, "body"), None, signed_in).await)
        }
        Err(e) => return error_page(lang, e),
    };
    match view {
        Ok(v) => html(status, &v),
        Err(e) => error_page(lang, e),
    }
}

/// What the petitioner sees of their petition.
struct Mine {
    code: String,
    kind: &'static str,
    state: &'static str,
    state_code: String,
    body: String,
    note: Option<String>,
    answer: Option<String>,
    received: String,
    resolve_due: String,
    rating: Option<String>,
}

impl Mine {
    fn of(lang: Lang, p: &PetitionRow) -> Self {
        let k = uc::kind_of(p);
        let s = PState::parse(&p.state).unwrap_or(PState::Received);
        Mine {
            code: p.code.clone(),
            kind: lang.t(k.label_vi(), k.label_en()),
            state: lang.t(s.label_vi(), s.label_en()),
            state_code: p.state.clone(),
            body: p.body.clone(),
            note: p.note.clone(),
            answer: p.answer.clone(),
            received: hour_day(Some(p.received_at)),
            resolve_due: hour_day(Some(p.resolve_due)),
            rating: p.rating.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowQuery {
    code: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "public/petition_follow.html")]
struct FollowView {
    lang: Lang,
    frame: Frame,
    errors: Vec<FieldError>,
    code: String,
    secret: String,
    found: Option<Mine>,
    /// What was just done (a message), and a follow-up's new code and secret.
    done: Option<&'static str>,
    follow_up: Option<(String, String)>,
    text: String,
}

fn follow_view(lang: Lang, code: &str, secret: &str, errors: Vec<FieldError>, found: Option<Mine>) -> FollowView {
    let title = title_with_errors(lang, lang.t("Theo dõi phản ánh, kiến nghị", "Follow a petition"), &errors);
    FollowView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::PetitionFollow.path())),
        errors,
        code: code.to_string(),
        secret: String::new(),
        found,
        done: None,
        follow_up: None,
        text: String::new(),
    }
    .with_secret(secret)
}

impl FollowView {
    fn with_secret(mut self, s: &str) -> Self {
        // The secret goes back into the page's forms only once it opened the petition.
        if self.found.is_some() {
            self.secret = s.to_string();
        }
        self
    }
}

fn not_found_error() -> FieldError {
    FieldError::new(
        "code",
        "not_found",
        "Không tìm thấy phản ánh với mã và mật mã này; kiểm tra lại.",
        "No petition matches this code and secret; check them.",
    )
}

/// `GET /phan-anh/theo-doi?code=&secret=`.
pub async fn follow(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    lang: Lang,
    Query(q): Query<FollowQuery>,
) -> Response {
    if q.code.trim().is_empty() && q.secret.trim().is_empty() {
        return html(StatusCode::OK, &follow_view(lang, "", "", Vec::new(), None));
    }
    match uc::follow(&ctx, &q.code, &q.secret, client).await {
        Ok(p) => html(StatusCode::OK, &follow_view(lang, &q.code, &q.secret, Vec::new(), Some(Mine::of(lang, &p)))),
        Err(AppError::NotFound { .. }) => {
            html(StatusCode::NOT_FOUND, &follow_view(lang, &q.code, "", vec![not_found_error()], None))
        }
        Err(e) => error_page(lang, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FollowForm {
    code: String,
    secret: String,
    /// `like`, `dislike`, `supplement`, `complain`.
    action: String,
    text: String,
}

/// `POST /phan-anh/theo-doi`: the petitioner's action.
pub async fn act(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    lang: Lang,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if !origin_ok(&headers) {
        return origin_refused(lang);
    }
    let f: FollowForm = match FormFields(f).typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let ip = client;
    let (result, done, follow_up) = match f.action.as_str() {
        "like" | "dislike" => (
            uc::rate(&ctx, &f.code, &f.secret, f.action == "like", ip).await,
            lang.t("Cảm ơn ông/bà đã đánh giá trả lời.", "Thank you for rating the answer."),
            None,
        ),
        "supplement" => (
            uc::supplement(&ctx, &f.code, &f.secret, &f.text, ip).await,
            lang.t("Đã gửi thông tin bổ sung.", "The information was sent."),
            None,
        ),
        "complain" => match uc::complain(&ctx, &f.code, &f.secret, &f.text, ip).await {
            Ok(n) => {
                let old = uc::follow(&ctx, &f.code, &f.secret, ip).await;
                (old, lang.t("Đã gửi phản ánh tiếp về kết quả.", "Your follow-up was sent."), Some((n.petition.code, n.secret)))
            }
            Err(e) => (Err(e), "", None),
        },
        _ => (Err(AppError::not_found("action")), "", None),
    };
    match result {
        Ok(p) => {
            let mut v = follow_view(lang, &f.code, &f.secret, Vec::new(), Some(Mine::of(lang, &p)));
            v.done = Some(done);
            v.follow_up = follow_up;
            html(StatusCode::OK, &v)
        }
        Err(AppError::NotFound { .. }) => {
            html(StatusCode::NOT_FOUND, &follow_view(lang, &f.code, "", vec![not_found_error()], None))
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. } | AppError::Refused { .. })) => {
            let status = match &e {
                AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Refused { http, .. } => StatusCode::from_u16(*http).unwrap_or(StatusCode::CONFLICT),
                _ => StatusCode::CONFLICT,
            };
            let found = uc::follow(&ctx, &f.code, &f.secret, ip).await.ok().map(|p| Mine::of(lang, &p));
            let mut v = follow_view(lang, &f.code, &f.secret, app_field_errors(&e, "text"), found);
            v.text = f.text.clone();
            html(status, &v)
        }
        Err(e) => error_page(lang, e),
    }
}

struct Answer {
    code: String,
    href: String,
    kind: &'static str,
    unit: String,
    received: String,
    published: String,
    body: String,
    answer: String,
}

fn answer_of(lang: Lang, a: &PublicAnswer) -> Answer {
    let k = Kind::parse(&a.kind).unwrap_or(Kind::QuyDinh);
    Answer {
        code: a.code.clone(),
        href: lang.href(Route::PetitionAnswer(&a.code)),
        kind: lang.t(k.label_vi(), k.label_en()),
        unit: a.unit.clone(),
        received: hour_day(Some(a.received_at)),
        published: hour_day(Some(a.published_at)),
        body: a.body.clone(),
        answer: a.answer.clone(),
    }
}

#[derive(Template)]
#[template(path = "public/petition_answers.html")]
struct AnswersView {
    lang: Lang,
    frame: Frame,
    items: Vec<Answer>,
    one: bool,
    page: usize,
    next: Option<String>,
    prev: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    trang: Option<usize>,
}

/// `GET /phan-anh/tra-loi?trang=`.
pub async fn answers(State(ctx): State<AppContext>, lang: Lang, Query(q): Query<PageQuery>) -> Response {
    let page = q.trang.unwrap_or(1).clamp(1, 10_000);
    let list = match uc::published(&ctx, page).await {
        Ok(l) => l,
        Err(e) => return error_page(lang, e),
    };
    let p = page.to_string();
    let en = if lang == Lang::En { "en" } else { "" };
    let at = |n: usize| Route::PetitionAnswers.with_query(&[("trang", &n.to_string()), ("lang", en)]);
    let next = (list.len() == uc::PUBLIC_PAGE).then(|| at(page + 1));
    let prev = (page > 1).then(|| at(page - 1));
    let title = lang.t("Trả lời phản ánh, kiến nghị", "Answers to petitions");
    let view = AnswersView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::PetitionAnswers.with_query(&[("trang", &p)]))),
        items: list.iter().map(|a| answer_of(lang, a)).collect(),
        one: false,
        page,
        next,
        prev,
    };
    html(StatusCode::OK, &view)
}

/// `GET /phan-anh/tra-loi/{code}`.
pub async fn answer(State(ctx): State<AppContext>, lang: Lang, Path(code): Path<String>) -> Response {
    let a = match uc::published_one(&ctx, &code).await {
        Ok(a) => a,
        Err(e) => return error_page(lang, e),
    };
    let title = format!("{} {}", lang.t("Trả lời phản ánh", "Answer to petition"), a.code);
    let view = AnswersView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::PetitionAnswer(&a.code).path())),
        items: vec![answer_of(lang, &a)],
        one: true,
        page: 1,
        next: None,
        prev: None,
    };
    html(StatusCode::OK, &view)
}
