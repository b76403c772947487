//! The applicant-facing second screen of a counter (`/man-hinh/quay/{agency_id}`), its
//! server-sent events and the draft the reception page posts as the officer types.

use super::{CounterHub, ScreenState, serves_counter};
use crate::kit::ClientAddr;
use crate::kit::form::FormFields;
use crate::kit::http::origin_ok;
use crate::kit::layout::html;
use crate::kit::session::origin_refused;
use crate::kit::{
    Frame, Lang, PageError, PageUser, Route, error_page, optional_user, other_lang_href, see_other, title_with_errors,
};
use crate::public::rating::{AnswersInput, answers, field_errors};
use askama::Template;
use axum::Extension;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use motcua_app::auth::tokens_match;
use motcua_app::usecases::dossiers as uc;
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use serde::Deserialize;
use std::convert::Infallible;
use tokio::sync::broadcast;

#[derive(Template)]
#[template(path = "counter/screen.html")]
struct ScreenView<'a> {
    lang: Lang,
    frame: Frame,
    id: &'a str,
    s: ScreenState,
    /// The rating form's errors and answers as typed (the `rating` stage).
    errors: Vec<FieldError>,
    answers: AnswersInput,
}

impl ScreenView<'_> {
    /// A value, or "—" while there is none.
    fn dash<'v>(&self, v: &'v str) -> &'v str {
        if v.is_empty() { "—" } else { v }
    }
}

/// `GET /man-hinh/quay/{agency_id}`: the applicant-facing screen of a counter. Opened by the
/// officer of that counter (on the second monitor of the same computer, same session).
pub async fn screen(
    Extension(hub): Extension<CounterHub>,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<String>,
) -> Response {
    if !serves_counter(&user, &id) {
        return error_page(lang, AppError::Forbidden);
    }
    let s = hub.last(&id).unwrap_or_else(ScreenState::idle);
    screen_page(lang, StatusCode::OK, &id, s, Vec::new(), AnswersInput::empty())
}

fn screen_page(
    lang: Lang,
    status: StatusCode,
    id: &str,
    s: ScreenState,
    errors: Vec<FieldError>,
    answers: AnswersInput,
) -> Response {
    let title = title_with_errors(lang, lang.t("Màn hình quầy", "Counter screen"), &errors);
    let frame = Frame::new(title, other_lang_href(lang, &Route::CounterScreen(id).path()));
    html(status, &ScreenView { lang, frame, id, s, errors, answers })
}

/// `POST /man-hinh/quay/{agency_id}/danh-gia`: the applicant's rating on the second screen
/// at return (issue #18). The screen carries the dossier code and its one-time rating code;
/// the rating is the kiosk's (`rate_at_counter`), not the officer's, whose session is not
/// asked for, and the officer's page never sees the answers. On success the screen thanks
/// the applicant; on an error it shows the form again.
pub async fn rate(
    State(ctx): State<AppContext>,
    Extension(hub): Extension<CounterHub>,
    ClientAddr(client): ClientAddr,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if !origin_ok(&headers) {
        return origin_refused(lang);
    }
    let fields = FormFields(f);
    let (code, token) = (fields.text("code").trim().to_ascii_uppercase(), fields.text("rating_code").trim().to_string());
    let typed = AnswersInput::from(|k| fields.text(k));
    let shown = ScreenState {
        stage: "rating".into(),
        code: Some(code.clone()),
        rating_code: Some(token.clone()),
        procedure: hub.last(&id).filter(|s| s.code.as_deref() == Some(code.as_str())).map(|s| s.procedure).unwrap_or_default(),
        ..Default::default()
    };
    let a = match answers(|k| fields.text(k)) {
        Ok(a) => a,
        Err(errors) => return screen_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &id, shown, errors, typed),
    };
    match uc::rate_at_counter(&ctx, &code, &token, a.satisfied, a.comment, a.factors, client).await {
        Ok(_) => {
            // The screen thanks the applicant; the next reception clears it.
            if hub.last(&id).is_some_and(|s| s.stage == "rating" && s.code.as_deref() == Some(code.as_str())) {
                hub.publish(&id, ScreenState { stage: "thanks".into(), ..Default::default() });
            }
            see_other(&lang.href(Route::CounterScreen(&id)))
        }
        Err(e @ AppError::NotFound { .. }) => error_page(lang, e),
        Err(e @ (AppError::Validation(_) | AppError::Transition { .. } | AppError::Conflict { .. })) => {
            screen_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &id, shown, field_errors(&e), typed)
        }
        Err(e) => error_page(lang, e),
    }
}

/// `GET /man-hinh/quay/{agency_id}/su-kien`: the counter's states as server-sent events,
/// starting with the last one.
pub async fn events(
    Extension(hub): Extension<CounterHub>,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<String>,
) -> Response {
    if !serves_counter(&user, &id) {
        return error_page(lang, AppError::Forbidden);
    }
    let (last, rx) = hub.subscribe(&id);
    let first = last.map(|s| serde_json::to_string(&s).unwrap_or_default());
    let stream = futures_util::stream::unfold((first, rx), |(first, mut rx)| async move {
        if let Some(f) = first {
            return Some((Ok::<_, Infallible>(Event::default().data(f)), (None, rx)));
        }
        loop {
            match rx.recv().await {
                Ok(m) => return Some((Ok(Event::default().data(m)), (None, rx))),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    applicant: String,
    #[serde(default)]
    components: Vec<String>,
}

fn clip(s: &str, n: usize) -> String {
    motcua_domain::text::clean(s).chars().take(n).collect()
}

/// The header `counter.js` sends the session's CSRF token in.
const CSRF_HEADER: &str = "x-csrf-token";

/// `POST /man-hinh/quay/{agency_id}/ban-nhap` (JSON, session + CSRF header): the draft the
/// officer is typing, for the second screen. Only that counter's officers may post. Called
/// by a script, so no session is 401 (not the login page), checked before the body.
pub async fn draft(
    State(ctx): State<AppContext>,
    Extension(hub): Extension<CounterHub>,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(user) = optional_user(&ctx, &headers).await else {
        let e = PageError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Vui lòng đăng nhập.", "Please log in.");
        return error_page(lang, e);
    };
    let json =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.starts_with("application/json"));
    if !json {
        let e = PageError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Bản nháp phải gửi dạng JSON.",
            "The draft must be sent as JSON.",
        );
        return error_page(lang, e);
    }
    let csrf = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !origin_ok(&headers) || !tokens_match(csrf, &user.session.csrf_token) || !serves_counter(&user, &id) {
        return error_page(lang, AppError::Forbidden);
    }
    let Ok(b) = serde_json::from_slice::<DraftBody>(&body) else {
        let e = PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_draft", "Bản nháp không hợp lệ.", "Invalid draft.");
        return error_page(lang, e);
    };
    hub.publish(
        &id,
        ScreenState {
            stage: "draft".into(),
            procedure: clip(&b.procedure, 500),
            applicant: clip(&b.applicant, 300),
            components: b.components.iter().take(50).map(|c| clip(c, 300)).collect(),
            code: None,
            appointment: None,
            rating_code: None,
        },
    );
    StatusCode::NO_CONTENT.into_response()
}
