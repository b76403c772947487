//! `/danh-gia`: a counter applicant rates the service at return (issue #11 item 15), on the
//! second screen, a kiosk or their phone, with the dossier code and the one-time rating code
//! printed on their receipt. No account; the two codes are the proof, checked (and throttled
//! like tracking) by `rate_at_counter`.

use crate::kit::ClientAddr;
use crate::kit::form::{FormFields, app_field_errors};
use crate::kit::http::origin_ok;
use crate::kit::layout::html;
use crate::kit::session::origin_refused;
use crate::kit::{Frame, Lang, Route, error_page, other_lang_href, title_with_errors};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use motcua_app::usecases::dossiers as uc;
use motcua_app::usecases::ratings::Answers;
use motcua_app::{AppContext, AppError};
use motcua_domain::dossier::{FactorRating, RatingFactor};
use motcua_domain::error::FieldError;
use serde::Deserialize;

/// The rating form's codes (the answers are read by [`answers`]).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RatingForm {
    code: String,
    rating_code: String,
}

#[derive(Template)]
#[template(path = "public/rating.html")]
struct RatingView {
    lang: Lang,
    frame: Frame,
    errors: Vec<FieldError>,
    code: String,
    rating_code: String,
    answers: AnswersInput,
    done: bool,
}

fn page(status: StatusCode, view: RatingView) -> Response {
    html(status, &view)
}

fn view(lang: Lang, f: &RatingForm, answers: AnswersInput, errors: Vec<FieldError>, done: bool) -> RatingView {
    let title = title_with_errors(lang, lang.t("Đánh giá mức độ hài lòng", "Rate the service"), &errors);
    RatingView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::CounterRating.path())),
        errors,
        code: f.code.clone(),
        rating_code: f.rating_code.clone(),
        answers,
        done,
    }
}

/// `?code=`: the link of the return notice fills in the dossier code (the rating code stays
/// on the receipt only).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Prefill {
    code: String,
}

pub async fn form(lang: Lang, Query(p): Query<Prefill>) -> Response {
    let code: String = p.code.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.').take(40).collect();
    let f = RatingForm { code, ..Default::default() };
    page(StatusCode::OK, view(lang, &f, AnswersInput::empty(), Vec::new(), false))
}

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
    let fields = FormFields(f);
    let get = |k: &str| fields.get(k).unwrap_or_default().to_string();
    let typed = AnswersInput::from(get);
    let f: RatingForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let mut errors = Vec::new();
    if f.code.trim().is_empty() {
        errors.push(FieldError::new(
            "code",
            "required",
            "Nhập mã hồ sơ ghi trên giấy tiếp nhận.",
            "Enter the dossier code on your receipt.",
        ));
    }
    if f.rating_code.trim().is_empty() {
        errors.push(FieldError::new(
            "rating_code",
            "required",
            "Nhập mã đánh giá ghi trên giấy tiếp nhận.",
            "Enter the rating code on your receipt.",
        ));
    }
    let a = answers(get);
    if let Err(e) = &a {
        errors.extend(e.iter().cloned());
    }
    let a = match a {
        Ok(a) if errors.is_empty() => a,
        _ => return page(StatusCode::UNPROCESSABLE_ENTITY, view(lang, &f, typed, errors, false)),
    };
    let code = f.code.trim().to_ascii_uppercase();
    match uc::rate_at_counter(&ctx, &code, f.rating_code.trim(), a.satisfied, a.comment, a.factors, client).await {
        Ok(_) => page(StatusCode::OK, view(lang, &RatingForm::default(), AnswersInput::empty(), Vec::new(), true)),
        Err(AppError::NotFound { .. }) => {
            let e = FieldError::new(
                "code",
                "not_found",
                "Không tìm thấy hồ sơ với mã hồ sơ và mã đánh giá này; kiểm tra lại giấy tiếp nhận.",
                "No dossier matches this code and rating code; check your receipt.",
            );
            page(StatusCode::NOT_FOUND, view(lang, &f, typed, vec![e], false))
        }
        // Not yet returned, already rated, a comment too long: said on the form.
        Err(e @ (AppError::Validation(_) | AppError::Transition { .. } | AppError::Conflict { .. })) => {
            page(StatusCode::UNPROCESSABLE_ENTITY, view(lang, &f, typed, field_errors(&e), false))
        }
        Err(e) => error_page(lang, e),
    }
}

/// A refusal of the rating as field errors: the answers' own fields kept, anything else (not
/// yet returned, already rated) on the dossier code.
pub fn field_errors(e: &AppError) -> Vec<FieldError> {
    let mut errors = app_field_errors(e, "code");
    for f in &mut errors {
        if !(f.field == "comment" || f.field == "satisfied" || f.field.starts_with("score_")) {
            f.field = "code".into();
        }
    }
    errors
}

/// The 5-point scale of each dimension (value, Vietnamese, English).
pub const SCALE: [(u8, &str, &str); 5] = motcua_domain::dossier::SCORES;

/// One dimension's inputs on a form (`score_<factor>`), with the score chosen (0 = none).
pub struct FactorInput {
    pub field: String,
    pub vi: &'static str,
    pub en: &'static str,
    pub selected: u8,
}

/// The SIPAS answers as typed, for `components/rating/answers.html`.
pub struct AnswersInput {
    /// `yes`, `no` or "".
    pub satisfied: String,
    pub factors: Vec<FactorInput>,
    pub comment: String,
    /// A counter visit is rated (the overall question is about the service at the counter,
    /// not a dossier's handling).
    pub visit: bool,
}

impl AnswersInput {
    /// From a form's values (`get(name)`, "" when absent).
    pub fn from(get: impl Fn(&str) -> String) -> Self {
        let factors = RatingFactor::ALL
            .into_iter()
            .map(|f| {
                let field = format!("score_{}", f.code());
                let selected = get(&field).trim().parse().ok().filter(|s| (1..=5).contains(s)).unwrap_or(0);
                FactorInput { field, vi: f.name_vi(), en: f.name_en(), selected }
            })
            .collect();
        AnswersInput { satisfied: get("satisfied"), factors, comment: get("comment"), visit: false }
    }

    pub fn empty() -> Self {
        Self::from(|_| String::new())
    }

    /// The same answers asked about a counter visit.
    pub fn of_visit(self) -> Self {
        Self { visit: true, ..self }
    }
}

/// The answers of a rating form (`satisfied` = `yes`/`no`, required; `score_<factor>` 1..5,
/// each optional; `comment`), or the fields in error. The domain checks them again.
pub fn answers(get: impl Fn(&str) -> String) -> Result<Answers, Vec<FieldError>> {
    let mut errors = Vec::new();
    let satisfied = match get("satisfied").as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.push(FieldError::new(
                "satisfied",
                "required",
                "Chọn hài lòng hoặc không hài lòng.",
                "Choose satisfied or not satisfied.",
            ));
            None
        }
    };
    let mut factors = Vec::new();
    for f in RatingFactor::ALL {
        let field = format!("score_{}", f.code());
        let v = get(&field);
        if v.trim().is_empty() {
            continue;
        }
        match v.trim().parse::<u8>() {
            Ok(s) if (1..=5).contains(&s) => factors.push(FactorRating { factor: f, satisfied: s >= 4, score: Some(s) }),
            _ => errors.push(FieldError::new(
                &field,
                "score_out_of_range",
                "Điểm đánh giá phải từ 1 (rất không hài lòng) đến 5 (rất hài lòng).",
                "A score is from 1 (very dissatisfied) to 5 (very satisfied).",
            )),
        }
    }
    let comment = Some(get("comment")).filter(|c| !c.trim().is_empty());
    match (satisfied, errors.is_empty()) {
        (Some(satisfied), true) => Ok(Answers { satisfied, factors, comment }),
        _ => Err(errors),
    }
}
