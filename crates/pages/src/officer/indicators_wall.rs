//! The wall view of the operations centre (`/can-bo/chi-so/man-hinh`, issue #16): a unit's
//! big figures for a large screen, kept live by its server-sent events
//! (`…/man-hinh/su-kien`, read by `/assets/indicators-wall.js`). Without the script the page
//! shows the figures of its load and a link to reload it.
//!
//! A stream sends the figures at once, then every `wall.event_secs`; before each event it
//! authenticates the session again and re-checks the unit against the caller's scope, and
//! ends when either fails. At most `wall.max_streams` streams are open in a process (a
//! semaphore); one more is refused with 503.

use super::indicators::{num, pct};
use super::refuse_non_official;
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageError, PageUser, Route, error_page, optional_user, other_lang_href, with_lang};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dashboard::{self as uc, Wall};
use motcua_domain::error::FieldError;
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The streams of the wall view open in this process, and their pace.
#[derive(Clone)]
pub struct WallSlots {
    slots: Arc<Semaphore>,
    every: Duration,
}

impl WallSlots {
    pub fn new(ctx: &AppContext) -> Self {
        let c = &ctx.config.wall;
        Self { slots: Arc::new(Semaphore::new(c.max_streams)), every: Duration::from_secs(c.event_secs.max(1)) }
    }
}

#[derive(Deserialize)]
pub struct Params {
    unit: Option<String>,
}

/// The figures as the page and the script show them (text, in the page's language).
#[derive(serde::Serialize)]
struct Shown {
    received_today: String,
    received_month: String,
    on_time: String,
    overdue_now: String,
    online: String,
    total: String,
    grade: String,
    at: String,
}

fn shown(lang: Lang, w: &Wall) -> Shown {
    Shown {
        received_today: w.received_today.to_string(),
        received_month: w.received_month.to_string(),
        on_time: pct(lang, w.on_time_percent),
        overdue_now: w.overdue_now.to_string(),
        online: pct(lang, w.online_percent),
        total: num(lang, w.total),
        grade: w.grade.clone(),
        at: crate::kit::hour_day(Some(w.at)),
    }
}

#[derive(Template)]
#[template(path = "officer/indicators/wall.html")]
struct WallView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    title: String,
    month: String,
    s: Shown,
    events: String,
    reload: String,
    dashboard_href: String,
}

/// `GET /can-bo/chi-so/man-hinh?unit=`: the wall view of a unit (default the caller's).
pub async fn wall(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser, Query(p): Query<Params>) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let w = match uc::wall(&ctx, &user, p.unit.as_deref()).await {
        Ok(w) => w,
        Err(e) => return error_page(lang, e),
    };
    // The unit as resolved (the caller's own when none was asked for).
    let unit = p.unit.clone().unwrap_or_default();
    let pairs = [("unit", unit.as_str())];
    let here = Route::IndicatorsWall.with_query(&pairs);
    let title = format!("{} – {}", lang.t("Màn hình điều hành", "Wall view"), w.unit);
    let view = WallView {
        lang,
        frame: Frame::new(title.clone(), other_lang_href(lang, &here)),
        user: &user,
        menu: menu(lang, &user, Some(Route::Indicators)),
        errors: Vec::new(),
        title,
        month: w.month.clone(),
        s: shown(lang, &w),
        events: with_lang(lang, &Route::IndicatorsWallEvents.with_query(&pairs)),
        reload: with_lang(lang, &here),
        dashboard_href: with_lang(lang, &Route::Indicators.with_query(&pairs)),
    };
    html(StatusCode::OK, &view)
}

struct Stream {
    ctx: AppContext,
    headers: HeaderMap,
    unit: Option<String>,
    lang: Lang,
    first: Option<Wall>,
    every: Duration,
    _permit: OwnedSemaphorePermit,
}

fn event(lang: Lang, w: &Wall) -> Event {
    Event::default().data(serde_json::to_string(&shown(lang, w)).unwrap_or_default())
}

/// `GET /can-bo/chi-so/man-hinh/su-kien?unit=`: the wall's figures as server-sent events.
pub async fn events(
    State(ctx): State<AppContext>,
    Extension(slots): Extension<WallSlots>,
    lang: Lang,
    headers: HeaderMap,
    PageUser(user): PageUser,
    Query(p): Query<Params>,
) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let first = match uc::wall(&ctx, &user, p.unit.as_deref()).await {
        Ok(w) => w,
        Err(e) => return error_page(lang, e),
    };
    let Ok(permit) = slots.slots.clone().try_acquire_owned() else {
        let mut e = PageError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_streams",
            "Màn hình điều hành đang có quá nhiều kết nối. Vui lòng tải lại trang sau ít phút.",
            "The wall view has too many connections. Please reload the page in a few minutes.",
        );
        e.retry_after_secs = Some(60);
        return error_page(lang, e);
    };
    let s = Stream { ctx, headers, unit: p.unit, lang, first: Some(first), every: slots.every, _permit: permit };
    let stream = futures_util::stream::unfold(s, |mut s| async move {
        if let Some(w) = s.first.take() {
            return Some((Ok::<_, Infallible>(event(s.lang, &w)), s));
        }
        tokio::time::sleep(s.every).await;
        // The session may have ended or the scope changed since the stream began.
        let user = optional_user(&s.ctx, &s.headers).await?;
        let w = uc::wall(&s.ctx, &user, s.unit.as_deref()).await.ok()?;
        Some((Ok(event(s.lang, &w)), s))
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}
