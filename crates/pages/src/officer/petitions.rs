//! The officers' petitions (PAKN, issue #18): `/can-bo/phan-anh` lists those of the units
//! in scope (about officials for leaders and inspectors only, in the query), open ones first
//! by deadline; `/can-bo/phan-anh/{id}` shows one with its history and the forms of the
//! actions the table allows (`?lien-he=1` reveals the petitioner's contact, logged);
//! `/can-bo/phan-anh/nhat-ky-lien-he` is the contact-read log.

use super::refuse_non_official;
use crate::kit::http::see_other;
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::session::PageForm;
use crate::kit::{Frame, Lang, PageUser, Route, error_page, hour_day, other_lang_href};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::petitions::PetitionRow;
use motcua_app::usecases::petitions::{self as uc, OfficerAction};
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use motcua_domain::petition::{Action, GUARDS, Kind, State as PState};
use serde::Deserialize;

struct Row {
    href: String,
    code: String,
    kind: &'static str,
    state: &'static str,
    received: String,
    due: String,
    overdue: bool,
}

fn row(lang: Lang, p: &PetitionRow, now: i64) -> Row {
    let k = uc::kind_of(p);
    let s = PState::parse(&p.state).unwrap_or(PState::Received);
    let t = uc::timeline(p);
    Row {
        href: lang.href(Route::OfficerPetition(&p.id)),
        code: p.code.clone(),
        kind: lang.t(k.label_vi(), k.label_en()),
        state: lang.t(s.label_vi(), s.label_en()),
        received: hour_day(Some(p.received_at)),
        due: hour_day(t.next_due()),
        overdue: t.next_due().is_some() && !t.on_time_at(now),
    }
}

#[derive(Template)]
#[template(path = "officer/petitions.html")]
struct InboxView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    rows: Vec<Row>,
    states: Vec<(&'static str, &'static str)>,
    state: String,
    log_href: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InboxQuery {
    #[serde(rename = "trang-thai")]
    state: String,
}

fn can_read_log(user: &CurrentUser) -> bool {
    !motcua_domain::authz::scope(&user.principal, motcua_domain::authz::Permission::ViewContactLog).is_empty()
}

/// `GET /can-bo/phan-anh`.
pub async fn inbox(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser, Query(q): Query<InboxQuery>) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let state = PState::parse(&q.state);
    let rows = match uc::inbox(&ctx, &user, state).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, e),
    };
    let now = ctx.clock.now_ms();
    let title = lang.t("Phản ánh, kiến nghị", "Petitions");
    let view = InboxView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::OfficerPetitions.path())),
        menu: menu(lang, &user, Some(Route::OfficerPetitions)),
        user: &user,
        errors: Vec::new(),
        rows: rows.iter().map(|p| row(lang, p, now)).collect(),
        states: PState::ALL.iter().map(|s| (s.code(), lang.t(s.label_vi(), s.label_en()))).collect(),
        state: state.map(|s| s.code().to_string()).unwrap_or_default(),
        log_href: can_read_log(&user).then(|| lang.href(Route::PetitionContactLog)),
    };
    html(StatusCode::OK, &view)
}

struct Event {
    when: String,
    action: String,
    state: &'static str,
    note: String,
}

#[derive(Template)]
#[template(path = "officer/petition.html")]
struct PetitionView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    p: PetitionRow,
    kind: &'static str,
    state: &'static str,
    row: Row,
    events: Vec<Event>,
    /// The actions the table allows in this state (the use case checks the caller).
    actions: Vec<&'static str>,
    units: Vec<(String, String)>,
    contact: Option<(String, String)>,
    contact_href: String,
    action_href: String,
    publish_due: String,
    /// The rejection, supplement-request and resolution deadlines.
    dues: String,
}

impl PetitionView<'_> {
    fn allows(&self, a: &str) -> bool {
        self.actions.contains(&a)
    }
}

async fn petition_page(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    id: &str,
    show_contact: bool,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let (p, events) = match uc::get(ctx, user, id).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let contact = if show_contact {
        match uc::contact(ctx, user, id).await {
            Ok((n, c)) => Some((n.unwrap_or_else(|| "—".into()), c.unwrap_or_else(|| "—".into()))),
            Err(e) => return error_page(lang, e),
        }
    } else {
        None
    };
    let units = match uc::units(ctx).await {
        Ok(u) => u,
        Err(e) => return error_page(lang, e),
    };
    let k = uc::kind_of(&p);
    let s = PState::parse(&p.state).unwrap_or(PState::Received);
    let actions = GUARDS
        .iter()
        .filter(|g| g.1.contains(&s) && !g.2.contains(&motcua_domain::petition::Who::Petitioner))
        .map(|g| g.0.code())
        .collect();
    let events = events
        .into_iter()
        .map(|e| Event {
            when: hour_day(Some(e.at_ms)),
            action: Action::parse(&e.action)
                .map_or_else(|| lang.t("Tiếp nhận", "Filed").to_string(), |a| a.label_vi().to_string()),
            state: PState::parse(&e.state).map_or("", |s| lang.t(s.label_vi(), s.label_en())),
            note: e.note.unwrap_or_default(),
        })
        .collect();
    let title = format!("{} {}", lang.t("Phản ánh", "Petition"), p.code);
    let view = PetitionView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::OfficerPetition(&p.id).path())),
        menu: menu(lang, user, Some(Route::OfficerPetitions)),
        user,
        errors,
        kind: lang.t(k.label_vi(), k.label_en()),
        state: lang.t(s.label_vi(), s.label_en()),
        row: row(lang, &p, ctx.clock.now_ms()),
        events,
        actions,
        units,
        contact,
        contact_href: Route::OfficerPetition(&p.id)
            .with_query(&[("lien-he", "1"), ("lang", if lang == Lang::En { "en" } else { "" })]),
        action_href: lang.href(Route::OfficerPetition(&p.id)),
        publish_due: hour_day(p.publish_due),
        dues: [p.reject_due, p.supplement_due, p.resolve_due].map(|t| hour_day(Some(t))).join(" · "),
        p,
    };
    html(status, &view)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PetitionQuery {
    #[serde(rename = "lien-he")]
    contact: Option<String>,
}

/// `GET /can-bo/phan-anh/{id}`.
pub async fn page(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Query(q): Query<PetitionQuery>,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    petition_page(&ctx, lang, &user, &id, q.contact.is_some(), Vec::new(), StatusCode::OK).await
}

/// `POST /can-bo/phan-anh/{id}`: one action; back to the page (303), or the page with the
/// error (nothing written).
pub async fn act(State(ctx): State<AppContext>, lang: Lang, Path(id): Path<String>, form: PageForm) -> Response {
    let PageForm { user, fields } = form;
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let opt = |k: &str| fields.get(k).map(str::to_string);
    let x = match fields.text("action").as_str() {
        "classify" => OfficerAction::Classify { kind: fields.text("kind") },
        "assign" => OfficerAction::Assign { unit: fields.text("unit") },
        "reject" => OfficerAction::Reject { reason: opt("text").unwrap_or_default() },
        "request_supplement" => OfficerAction::RequestSupplement { what: opt("text").unwrap_or_default() },
        "answer" => OfficerAction::Answer { text: opt("text").unwrap_or_default() },
        "publish" => OfficerAction::Publish,
        _ => return error_page(lang, AppError::not_found("action")),
    };
    match uc::act(&ctx, &user, &id, x).await {
        Ok(_) => see_other(&lang.href(Route::OfficerPetition(&id))),
        Err(e @ AppError::Validation(_)) => {
            let errs = crate::kit::form::app_field_errors(&e, "text");
            petition_page(&ctx, lang, &user, &id, false, errs, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(lang, e),
    }
}

struct Read {
    when: String,
    who: String,
    code: String,
    href: String,
}

#[derive(Template)]
#[template(path = "officer/petition_contacts.html")]
struct LogView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    reads: Vec<Read>,
}

/// `GET /can-bo/phan-anh/nhat-ky-lien-he`.
pub async fn contact_log(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let rows = match uc::contact_log(&ctx, &user).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, e),
    };
    let title = lang.t("Nhật ký xem thông tin liên hệ PAKN", "Petition contact reads");
    let view = LogView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::PetitionContactLog.path())),
        menu: menu(lang, &user, Some(Route::PetitionContactLog)),
        user: &user,
        errors: Vec::new(),
        reads: rows
            .into_iter()
            .map(|r| Read {
                when: hour_day(Some(r.at_ms)),
                who: format!("{} ({})", r.full_name, r.username),
                href: lang.href(Route::OfficerPetition(&r.petition_id)),
                code: r.petition_code,
            })
            .collect(),
    };
    html(StatusCode::OK, &view)
}

/// Labels of kinds for the classify form.
pub fn kinds(lang: Lang) -> [(&'static str, &'static str); 2] {
    [Kind::QuyDinh, Kind::CanBo].map(|k| (k.code(), lang.t(k.label_vi(), k.label_en())))
}
