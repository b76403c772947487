//! Catalog administration under `/quan-tri/thu-tuc` (province administrators only; others get
//! a 403 page): search, a procedure's versions with their actions (publish a draft, abolish,
//! replace), and the diff of two versions with field names and values in words. Every action
//! goes through the catalog use cases, which check the permission again and write the audit
//! trail. (The create/amend form is still built in `motcua-web`.)

use crate::kit::layout::html;
use crate::kit::{Frame, Lang, PageForm, PageUser, Route, app_field_errors, error_page, other_lang_href, see_other};
use crate::kit::{title_with_errors, with_lang};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::error::hanoi_time;
use motcua_app::usecases::catalog::{self, CatalogQuery, Ending, parse_effective};
use motcua_app::{AppContext, AppError};
use motcua_domain::authz::{Permission, authorize_user};
use motcua_domain::catalog::{VersionStatus, valid_code};
use motcua_domain::error::{FieldError, ValidationError};
use serde::Deserialize;
use serde_json::Value;

const PAGE_SIZE: i64 = 50;

/// Province administrators only (the same rule the use cases apply): the 403 page for anyone else.
pub(super) fn refuse(lang: Lang, user: &CurrentUser) -> Option<Response> {
    authorize_user(&user.principal, Permission::ManageCatalog, &[]).err().map(|_| error_page(lang, AppError::Forbidden))
}

fn day(ms: Option<i64>) -> String {
    ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok())
        .map(|t| motcua_domain::calendar::local_date(t).strftime("%d/%m/%Y").to_string())
        .unwrap_or_else(|| "—".into())
}

fn tomorrow(ctx: &AppContext) -> String {
    let t = ctx.clock.today();
    t.tomorrow().unwrap_or(t).to_string()
}

pub(crate) fn status_label(lang: Lang, s: VersionStatus) -> &'static str {
    match s {
        VersionStatus::Draft => lang.t("Dự thảo", "Draft"),
        VersionStatus::Published => lang.t("Đã công bố", "Published"),
        VersionStatus::Amended => lang.t("Đã được sửa đổi", "Amended"),
        VersionStatus::Replaced => lang.t("Bị thay thế", "Replaced"),
        VersionStatus::Abolished => lang.t("Bãi bỏ", "Abolished"),
    }
}

pub(crate) fn online_label(lang: Lang, o: &str) -> &'static str {
    match o {
        "full" => lang.t("Toàn trình", "Fully online"),
        "partial" => lang.t("Một phần", "Partly online"),
        _ => lang.t("Không trực tuyến", "Not online"),
    }
}

// ---------------------------------------------------------------------------------------
// List

#[derive(Deserialize)]
pub struct ListParams {
    q: Option<String>,
    page: Option<i64>,
}

struct ListRow {
    code: String,
    name: String,
    sector: String,
    online: &'static str,
}

/// The procedure a code typed in full names, when the search does not list it.
struct ByCode {
    code: String,
    name: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "admin/catalog/list.html")]
struct ListView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    errors: &'a [FieldError],
    heading: &'a str,
    q: String,
    total: i64,
    by_code: Option<ByCode>,
    rows: Vec<ListRow>,
    page_no: i64,
    pages: i64,
    prev_href: String,
    next_href: String,
}

/// `GET /quan-tri/thu-tuc`: search the procedures in force (the public search use case); a
/// code typed in full also finds a procedure that is only a draft or no longer in force.
pub async fn list(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser, Query(p): Query<ListParams>) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    let q = p.q.unwrap_or_default();
    let page_no = p.page.unwrap_or(1).max(1);
    let query = CatalogQuery {
        q: Some(q.clone()).filter(|s| !s.trim().is_empty()),
        limit: PAGE_SIZE,
        offset: (page_no - 1) * PAGE_SIZE,
        ..Default::default()
    };
    let (items, total) = match catalog::search(&ctx, query).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let code = q.trim().to_ascii_uppercase();
    let by_code = if valid_code(&code) && !items.iter().any(|i| i.code == code) {
        catalog::versions(&ctx, &code).await.ok().and_then(|vs| vs.last().cloned()).map(|v| ByCode {
            status: status_label(lang, v.status),
            code: v.code,
            name: v.spec.name,
        })
    } else {
        None
    };
    let rows = items
        .into_iter()
        .map(|it| ListRow { online: online_label(lang, &it.online_level), code: it.code, name: it.name, sector: it.sector_name })
        .collect();
    let link = |n: i64| with_lang(lang, &Route::AdminCatalog.with_query(&[("page", &n.to_string()), ("q", &q)]));
    let heading = lang.t("Quản trị danh mục thủ tục hành chính", "Administrative procedure catalog");
    let view = ListView {
        lang,
        frame: Frame::new(heading, other_lang_href(lang, &Route::AdminCatalog.path())),
        user: &user,
        errors: &[],
        heading,
        total,
        by_code,
        rows,
        page_no,
        pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
        prev_href: link(page_no - 1),
        next_href: link(page_no + 1),
        q,
    };
    html(StatusCode::OK, &view)
}

// ---------------------------------------------------------------------------------------
// One procedure: versions and actions

/// Values typed into the action forms of the procedure page (publish, abolish, replace), read
/// as a typed form and kept on a re-render; each action keeps only its own form's values.
#[derive(Default, Deserialize)]
#[serde(default)]
struct ActionValues {
    publish_version: String,
    publish_effective: String,
    abolish_effective: String,
    replace_by: String,
    replace_effective: String,
}

#[derive(Deserialize)]
pub struct ShowParams {
    ok: Option<String>,
}

struct VersionRow {
    version: i64,
    status: &'static str,
    from: String,
    until: String,
    published: String,
    time_limit: String,
}

#[derive(Template)]
#[template(path = "admin/catalog/show.html")]
struct ShowView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    errors: &'a [FieldError],
    code: String,
    name: String,
    done: Option<&'static str>,
    versions: Vec<VersionRow>,
    /// Draft versions that can be published, and the one picked.
    drafts: Vec<(i64, bool)>,
    /// A version is in force or scheduled (it can be abolished or replaced).
    open: bool,
    kept: ActionValues,
    /// The versions offered for the diff, with the ones picked.
    compare: Vec<(i64, bool, bool)>,
}

/// `GET /quan-tri/thu-tuc/{code}`.
pub async fn show(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    Query(p): Query<ShowParams>,
) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    show_page(&ctx, lang, &user, &code, StatusCode::OK, &[], ActionValues::default(), p.ok.as_deref()).await
}

fn done_message(lang: Lang, ok: &str) -> Option<&'static str> {
    Some(match ok {
        "created" => lang.t("Đã thêm thủ tục.", "The procedure was added."),
        "amended" => lang.t("Đã tạo phiên bản mới.", "A new version was created."),
        "published" => lang.t("Đã công bố phiên bản.", "The version was published."),
        "abolished" => lang.t("Đã bãi bỏ thủ tục từ ngày đã chọn.", "The procedure is abolished from the chosen day."),
        "replaced" => lang.t("Đã thay thế thủ tục từ ngày đã chọn.", "The procedure is replaced from the chosen day."),
        _ => return None,
    })
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    code: &str,
    status: StatusCode,
    errors: &[FieldError],
    mut kept: ActionValues,
    ok: Option<&str>,
) -> Response {
    let vs = match catalog::versions(ctx, code).await {
        Ok(vs) => vs,
        Err(e) => return error_page(lang, e),
    };
    let latest = vs.last().expect("versions() refuses an empty list");
    let code = latest.code.clone();
    for d in [&mut kept.publish_effective, &mut kept.abolish_effective, &mut kept.replace_effective] {
        if d.is_empty() {
            *d = tomorrow(ctx);
        }
    }
    let n = vs.len();
    let view = ShowView {
        lang,
        frame: Frame::new(
            title_with_errors(lang, &latest.spec.name, errors),
            other_lang_href(lang, &Route::AdminProcedure(&code).path()),
        ),
        user,
        errors,
        name: latest.spec.name.clone(),
        done: ok.and_then(|o| done_message(lang, o)).filter(|_| errors.is_empty()),
        versions: vs
            .iter()
            .map(|v| VersionRow {
                version: v.version,
                status: status_label(lang, v.status),
                from: day(v.effective_from),
                until: day(v.effective_to),
                published: v.published_at.map(hanoi_time).unwrap_or_else(|| "—".into()),
                time_limit: v.spec.time_limit.describe_vi(),
            })
            .collect(),
        drafts: vs
            .iter()
            .filter(|v| v.status == VersionStatus::Draft)
            .map(|v| (v.version, kept.publish_version == v.version.to_string()))
            .collect(),
        open: vs.iter().any(|v| v.status != VersionStatus::Draft && v.effective_to.is_none()),
        compare: if n >= 2 {
            vs.iter().map(|v| (v.version, v.version == vs[n - 2].version, v.version == vs[n - 1].version)).collect()
        } else {
            Vec::new()
        },
        kept,
        code,
    };
    html(status, &view)
}

/// Maps the use case's field names to the ids of this page's inputs.
fn rename(errors: Vec<FieldError>, map: &[(&str, &str)], fallback: &str) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut e| {
            e.field = map.iter().find(|(from, _)| *from == e.field).map_or(fallback, |(_, to)| *to).to_string();
            e
        })
        .collect()
}

/// Runs an action of the procedure page: redirect on success, the page again with the
/// errors (422) on invalid input, an error page otherwise.
#[allow(clippy::too_many_arguments)]
async fn after_action(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    code: &str,
    kept: ActionValues,
    result: Result<String, AppError>,
    done: &str,
    map: &[(&str, &str)],
    fallback: &str,
) -> Response {
    match result {
        Ok(code) => see_other(&with_lang(lang, &Route::AdminProcedure(&code).with_query(&[("ok", done)]))),
        Err(e @ AppError::Validation(_)) => {
            let errors = rename(app_field_errors(&e, fallback), map, fallback);
            show_page(ctx, lang, user, code, StatusCode::UNPROCESSABLE_ENTITY, &errors, kept, None).await
        }
        Err(e) => error_page(lang, e),
    }
}

fn invalid(id: &str, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Validation(ValidationError::single(id, code, vi, en))
}

/// An effective day from a form field (required).
pub(super) fn effective(id: &str, s: &str) -> Result<i64, AppError> {
    if s.trim().is_empty() {
        return Err(invalid(id, "required", "Chọn ngày có hiệu lực.", "Choose the effective day."));
    }
    parse_effective(id, s)
}

/// `POST /quan-tri/thu-tuc/{code}/cong-bo`: publish a draft from a day.
pub async fn publish(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(code): Path<String>,
    PageForm { user, fields }: PageForm,
) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    let posted: ActionValues = match fields.typed() {
        Ok(v) => v,
        Err(e) => return error_page(lang, e),
    };
    let kept = ActionValues {
        publish_version: posted.publish_version,
        publish_effective: posted.publish_effective,
        ..Default::default()
    };
    let result = match (kept.publish_version.trim().parse::<i64>(), effective("publish_effective", &kept.publish_effective)) {
        (Ok(v), Ok(eff)) => catalog::publish(&ctx, &user.principal, &code.to_ascii_uppercase(), v, eff).await.map(|v| v.code),
        (Err(_), _) => Err(invalid("publish_version", "invalid_version", "Chọn phiên bản dự thảo.", "Choose the draft version.")),
        (_, Err(e)) => Err(e),
    };
    let map =
        [("publish_effective", "publish_effective"), ("effective_from", "publish_effective"), ("version", "publish_version")];
    after_action(&ctx, lang, &user, &code, kept, result, "published", &map, "publish_effective").await
}

/// `POST /quan-tri/thu-tuc/{code}/bai-bo`: abolish from a day.
pub async fn abolish(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(code): Path<String>,
    PageForm { user, fields }: PageForm,
) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    let posted: ActionValues = match fields.typed() {
        Ok(v) => v,
        Err(e) => return error_page(lang, e),
    };
    let kept = ActionValues { abolish_effective: posted.abolish_effective, ..Default::default() };
    let result = match effective("abolish_effective", &kept.abolish_effective) {
        Ok(eff) => catalog::end(&ctx, &user.principal, &code.to_ascii_uppercase(), Ending::Abolish, eff).await.map(|v| v.code),
        Err(e) => Err(e),
    };
    after_action(&ctx, lang, &user, &code, kept, result, "abolished", &[], "abolish_effective").await
}

/// `POST /quan-tri/thu-tuc/{code}/thay-the`: replace by another procedure from a day.
pub async fn replace(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(code): Path<String>,
    PageForm { user, fields }: PageForm,
) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    let posted: ActionValues = match fields.typed() {
        Ok(v) => v,
        Err(e) => return error_page(lang, e),
    };
    let kept = ActionValues { replace_by: posted.replace_by, replace_effective: posted.replace_effective, ..Default::default() };
    let by = kept.replace_by.trim().to_ascii_uppercase();
    let result = if by.is_empty() {
        Err(invalid("replace_by", "required", "Nhập mã thủ tục thay thế.", "Enter the code of the replacing procedure."))
    } else {
        match effective("replace_effective", &kept.replace_effective) {
            Ok(eff) => {
                catalog::end(&ctx, &user.principal, &code.to_ascii_uppercase(), Ending::Replace(by), eff).await.map(|v| v.code)
            }
            Err(e) => Err(e),
        }
    };
    let map = [("by", "replace_by"), ("replace_by", "replace_by")];
    after_action(&ctx, lang, &user, &code, kept, result, "replaced", &map, "replace_effective").await
}

// ---------------------------------------------------------------------------------------
// Diff

#[derive(Deserialize)]
pub struct DiffParams {
    from: Option<i64>,
    to: Option<i64>,
}

/// A top-level field's name in words ("" for an unknown field).
fn field_label(lang: Lang, f: &str) -> &'static str {
    let (vi, en) = match f {
        "name" => ("Tên thủ tục", "Name"),
        "sector" => ("Lĩnh vực", "Sector"),
        "levels" => ("Cấp thực hiện", "Levels"),
        "implementing_agency" => ("Cơ quan thực hiện", "Implementing agency"),
        "agency_code" => ("Mã cơ quan", "Agency code"),
        "applicant_types" => ("Loại đối tượng", "Applicant types"),
        "target_subjects" => ("Đối tượng thực hiện", "Target subjects"),
        "steps" => ("Trình tự thực hiện", "Steps"),
        "methods" => ("Cách thức thực hiện", "Methods"),
        "components" => ("Thành phần hồ sơ", "Components"),
        "sets" => ("Số bộ hồ sơ", "Sets"),
        "time_limit" => ("Thời hạn giải quyết", "Time limit"),
        "result" => ("Kết quả", "Result"),
        "fees" => ("Phí, lệ phí", "Fees"),
        "legal_basis" => ("Căn cứ pháp lý", "Legal basis"),
        "decision" => ("Quyết định công bố", "Publishing decision"),
        "online_level" => ("Mức độ trực tuyến", "Online level"),
        "full_online_eligible" => ("Đủ điều kiện toàn trình", "Eligible fully online"),
        "postal_excluded" => ("Không tiếp nhận qua bưu chính", "Postal excluded"),
        "online_only" => ("Chỉ tiếp nhận trực tuyến", "Online only"),
        "counting" => ("Cách tính thời hạn", "Counting rules"),
        "conditions" => ("Yêu cầu, điều kiện", "Conditions"),
        "code" => ("Mã thủ tục", "Code"),
        _ => ("", ""),
    };
    lang.t(vi, en)
}

/// The name of a key inside a field's value (a component's, a fee's…), in words; a top-level
/// field's label when it is one, the key itself as the last resort.
pub(super) fn key_label(lang: Lang, k: &str) -> String {
    let (vi, en) = match k {
        "key" => ("Mã thành phần", "Key"),
        "name" => ("Tên", "Name"),
        "originals" => ("Số bản chính", "Originals"),
        "copies" => ("Số bản sao", "Copies"),
        "required" => ("Bắt buộc", "Required"),
        "alternatives" => ("Giấy tờ thay thế", "Alternatives"),
        "template" => ("Tệp mẫu đơn, tờ khai", "Form file"),
        "note" => ("Ghi chú", "Note"),
        "amount" => ("Số tiền", "Amount"),
        "collected" => ("Thời điểm thu", "Collected"),
        "exemptions" => ("Miễn, giảm", "Exemptions"),
        "number" => ("Số hiệu", "Number"),
        "title" => ("Trích yếu", "Title"),
        "issued" => ("Ngày ban hành", "Issued"),
        "effective" => ("Ngày có hiệu lực", "In force from"),
        "date" => ("Ngày", "Date"),
        "paper_required" => ("Cần bản giấy", "Paper required"),
        "same_day_cutoff" => ("Giờ chốt tiếp nhận trong ngày", "Same-day cut-off"),
        "out_of_hours_next" => ("Nhận ngoài giờ tính từ ngày làm việc sau", "Out of hours counts from the next working day"),
        "channel" => ("Cách nộp", "Channel"),
        "description" => ("Mô tả", "Description"),
        "value" => ("Giá trị", "Value"),
        "unit" => ("Đơn vị", "Unit"),
        "code" => ("Mã", "Code"),
        _ => {
            let top = field_label(lang, k);
            return if top.is_empty() { k.to_string() } else { top.to_string() };
        }
    };
    lang.t(vi, en).to_string()
}

/// A coded value (an enum's JSON name) in words; any other text as it is.
fn code_label(lang: Lang, s: &str) -> &str {
    let (vi, en) = match s {
        "province" => ("Cấp tỉnh", "Province"),
        "commune" => ("Cấp xã", "Commune"),
        "counter" => ("Trực tiếp", "At the counter"),
        "online" => ("Trực tuyến", "Online"),
        "postal" => ("Bưu chính công ích", "Public postal service"),
        "full" => ("Toàn trình", "Fully online"),
        "partial" => ("Một phần", "Partly online"),
        "none" => ("Không trực tuyến", "Not online"),
        "at_reception" => ("Khi tiếp nhận", "At reception"),
        "at_result" => ("Khi trả kết quả", "At the result"),
        "before_processing" => ("Trước khi giải quyết", "Before processing"),
        "citizen" => ("Công dân", "Citizen"),
        "business" => ("Doanh nghiệp", "Business"),
        "household_business" => ("Hộ kinh doanh", "Household business"),
        "organisation" => ("Tổ chức", "Organisation"),
        "foreigner" => ("Người nước ngoài", "Foreigner"),
        _ => return s,
    };
    lang.t(vi, en)
}

/// A value as one line of words (lists joined with "; ", records as "label: value").
fn text_of(lang: Lang, field: &str, v: &Value) -> String {
    if field == "time_limit"
        && let Ok(t) = serde_json::from_value::<motcua_domain::calendar::TimeLimit>(v.clone())
    {
        return crate::kit::fmt::time_limit(lang, t);
    }
    match v {
        Value::Null => "—".into(),
        Value::Bool(b) => lang.t(if *b { "Có" } else { "Không" }, if *b { "Yes" } else { "No" }).into(),
        Value::Number(n) if field == "amount" => n.as_i64().map(crate::kit::money).unwrap_or_else(|| n.to_string()),
        Value::Number(n) => n.to_string(),
        Value::String(s) => code_label(lang, s).to_string(),
        Value::Array(items) if items.is_empty() => "—".into(),
        Value::Array(items) => items.iter().map(|x| text_of(lang, field, x)).collect::<Vec<_>>().join("; "),
        Value::Object(m) => {
            m.iter().map(|(k, x)| format!("{}: {}", key_label(lang, k), text_of(lang, k, x))).collect::<Vec<_>>().join("; ")
        }
    }
}

/// A value of the diff for people: a record as label–value pairs, a list as items (each a
/// record or a line), anything else as words; never JSON text.
pub enum Shown {
    Text(String),
    Record(Vec<(String, String)>),
    Items(Vec<Shown>),
}

pub(super) fn shown(lang: Lang, field: &str, v: &Value) -> Shown {
    match v {
        Value::Object(m) if field != "time_limit" => {
            Shown::Record(m.iter().map(|(k, x)| (key_label(lang, k), text_of(lang, k, x))).collect())
        }
        Value::Array(items) if !items.is_empty() => Shown::Items(items.iter().map(|x| shown(lang, field, x)).collect()),
        _ => Shown::Text(text_of(lang, field, v)),
    }
}

pub(super) struct ChangeRow {
    pub label: String,
    pub before: Shown,
    pub after: Shown,
}

#[derive(Template)]
#[template(path = "admin/catalog/diff.html")]
struct DiffView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    errors: &'a [FieldError],
    code: String,
    name: String,
    from: i64,
    to: i64,
    changes: Vec<ChangeRow>,
}

/// `GET /quan-tri/thu-tuc/{code}/so-sanh?from=&to=`: what changed, field by field, in words.
pub async fn diff(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    Query(p): Query<DiffParams>,
) -> Response {
    if let Some(r) = refuse(lang, &user) {
        return r;
    }
    let vs = match catalog::versions(&ctx, &code).await {
        Ok(vs) => vs,
        Err(e) => return error_page(lang, e),
    };
    let n = vs.len();
    let to = p.to.unwrap_or(vs[n - 1].version);
    let from = p.from.unwrap_or(if n >= 2 { vs[n - 2].version } else { to });
    let changes = match catalog::version_diff(&ctx, &code, from, to).await {
        Ok(c) => c,
        Err(e) => return error_page(lang, e),
    };
    let code = vs[0].code.clone();
    let title = match lang {
        Lang::Vi => format!("So sánh phiên bản {from} và {to}"),
        Lang::En => format!("Versions {from} and {to} compared"),
    };
    let here = Route::AdminDiff(&code).with_query(&[("from", &from.to_string()), ("to", &to.to_string())]);
    let view = DiffView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &here)),
        user: &user,
        errors: &[],
        name: vs[n - 1].spec.name.clone(),
        from,
        to,
        changes: changes
            .iter()
            .map(|c| ChangeRow {
                label: key_label(lang, &c.field),
                before: shown(lang, &c.field, &c.before),
                after: shown(lang, &c.field, &c.after),
            })
            .collect(),
        code,
    };
    html(StatusCode::OK, &view)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_values_are_words_not_json() {
        let c = json!([{"key": "to_khai", "name": "Tờ khai", "originals": 1, "required": true, "template": null}]);
        let Shown::Items(items) = shown(Lang::Vi, "components", &c) else { panic!("a list") };
        let Shown::Record(pairs) = &items[0] else { panic!("a record") };
        assert!(pairs.contains(&("Số bản chính".into(), "1".into())) && pairs.contains(&("Bắt buộc".into(), "Có".into())));
        assert!(pairs.contains(&("Tệp mẫu đơn, tờ khai".into(), "—".into())));
        assert_eq!(text_of(Lang::Vi, "time_limit", &json!({"value": 5, "unit": "working_days"})), "5 ngày làm việc");
        assert_eq!(text_of(Lang::Vi, "online_level", &json!("full")), "Toàn trình");
        assert_eq!(text_of(Lang::Vi, "fees", &json!([{"amount": 50000}])), "Số tiền: 50.000 đồng");
        assert_eq!(key_label(Lang::Vi, "time_limit"), "Thời hạn giải quyết");
    }
}
