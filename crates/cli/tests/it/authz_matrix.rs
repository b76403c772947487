//! The authorization matrix, on both backends: every operation of the OpenAPI document the
//! app serves and every page route (`motcua_web::page_routes`, the table the router is built
//! from) × every demo account and an anonymous visitor, on a resource of Phường Hoa Lư (H)
//! and one of Phường Tam Điệp (T) where the route takes an id. The expected statuses are
//! kept below, one row per route; the test fails when a route has no row, when a row names
//! no route, and when any status differs.
//!
//! How to read a cell: one status, or `H/T` for routes taking an id. H is the citizen
//! `congdan`'s dossier filed online at Hoa Lư's centre and received there (so: Hoa Lư's and
//! congdan's own); T is another citizen's dossier received at Tam Điệp. Users: H =
//! `chuyenvien.hoalu`, T = a Tam Điệp reception officer; agencies: the two communes;
//! counter screens: the two communes' counters; bearer tokens: neither (a dossier id, so 404
//! for everyone signed in). Dossier commands carry `version: 0`, so an
//! in-scope caller gets 409 `stale_version` (the scope check passed, nothing changes) and an
//! out-of-scope one 404; the role checks behind them are covered by `dossiers` and `authz`.
//! Other writes send an empty JSON object: authenticated callers mostly get 422 before any
//! permission check, and those rows mainly pin 401 for anonymous callers; their permission
//! checks are covered by `users`, `agencies`, `catalog_admin` and `calendar`. Page forms are
//! posted without their CSRF token, so those rows pin that no form acts without it.

use crate::officer_pages::{PDF, vn};
use motcua_testkit::{TestApp, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Xác nhận tình trạng hôn nhân: commune level, fully online, no agency of its own.
const COMMUNE: &str = "1.004873";
/// Thẻ công chứng viên: province (Sở Tư pháp).
const PROVINCE: &str = "1.910201.H40";

/// Column order of every row.
const WHO: [&str; 12] = [
    "anon",
    "admin",
    "giamsat",
    "tiepnhan",
    "chuyenvien",
    "lanhdao",
    "admin.hoalu",
    "tiepnhan.hoalu",
    "chuyenvien.hoalu",
    "lanhdao.hoalu",
    "admin.tamdiep",
    "congdan",
];

/// Expected statuses, "METHOD path | one cell per caller", callers in `WHO` order (the
/// header abbreviates: tiepnh = tiepnhan, chuyenv = chuyenvien, adm.hl = admin.hoalu,
/// tn.hl / cv.hl / ld.hl = tiepnhan / chuyenvien / lanhdao.hoalu, adm.td = admin.tamdiep).
#[rustfmt::skip]
const MATRIX: &[&str] = &[
    //                                                           anon    admin   giamsat tiepnh  chuyenv lanhdao adm.hl  tn.hl   cv.hl   ld.hl   adm.td  congdan
    "DELETE /api/v1/agencies/{id}/office-hours                 | 401/401 204/204 403/403 403/403 403/403 403/403 204/403 403/403 403/403 403/403 403/204 403/403",
    "DELETE /api/v1/auth/tokens/{id}                           | 401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "GET /                                                     | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/agencies                                      | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/agencies/{id}                                 | 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200",
    "GET /api/v1/agencies/{id}/office-hours                    | 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200",
    "GET /api/v1/access-log                                    | 401     200     200     403     403     403     200     403     403     403     200     403",
    "GET /api/v1/archive/due                                   | 401     200     403     403     403     403     200     403     403     403     200     403",
    "GET /api/v1/archive/{code}/package                        | 401     409     403     403     403     403     409     403     403     403     403     403",
    "POST /api/v1/archive/{code}/purge                         | 401     409     403     403     403     403     409     403     403     403     403     403",
    "GET /quan-tri/luu-tru                                     | 303     200     403     403     403     403     200     403     403     403     200     403",
    "GET /quan-tri/luu-tru.csv                                 | 303     200     403     403     403     403     200     403     403     403     200     403",
    "GET /quan-tri/luu-tru/{code}/goi.zip                      | 303     409     403     403     403     403     409     403     403     403     403     403",
    "POST /quan-tri/luu-tru/{code}/xoa-du-lieu-ca-nhan         | 303     403     403     403     403     403     403     403     403     403     403     403",
    "GET /api/v1/audit                                         | 401     200     200     403     403     403     200     403     403     403     200     403",
    "GET /api/v1/auth/tokens                                   | 401     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/me/notification-preferences                   | 401     403     403     403     403     403     403     403     403     403     403     200",
    "PUT /api/v1/me/notification-preferences                   | 401     422     422     422     422     422     422     422     422     422     422     422",
    "GET /api/v1/dossiers/{id}/deliveries                      | 401/401 200/200 200/200 404/404 404/404 404/404 200/404 200/404 200/404 200/404 404/200 403/403",
    "GET /api/v1/me/locker                                      | 401     403     403     403     403     403     403     403     403     403     403     200",
    "GET /api/v1/me/locker/{id}/file                            | 401/401 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 404/404",
    "POST /api/v1/dossiers/{id}/components/{key}/locker         | 401/401 415/415 415/415 415/415 415/415 415/415 415/415 415/415 415/415 415/415 415/415 415/415",
    "GET /ca-nhan/thong-bao                                     | 303     403     403     403     403     403     403     403     403     403     403     200",
    "POST /ca-nhan/thong-bao                                    | 303     403     403     403     403     403     403     403     403     403     403     403",
    "GET /ca-nhan/kho-du-lieu                                   | 303     403     403     403     403     403     403     403     403     403     403     200",
    "POST /ho-so-cua-toi/{id}/thanh-phan/{key}/kho-du-lieu      | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "GET /api/v1/auth/me                                       | 401     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/calendar/due                                  | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/calendar/lunar                                | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/calendar/solar                                | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/calendar/years/{year}                         | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/calendar/years/{year}/schedule                | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/catalog/export                                | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/catalog/indicators                            | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/catalog/national-imports/latest              | 401     404     403     403     403     403     403     403     403     403     403     403",
    "GET /api/v1/dossiers                                      | 401     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/dossiers/{id}                                 | 401/401 200/200 200/200 404/404 404/404 404/404 200/404 200/404 200/404 200/404 404/200 200/404",
    "GET /api/v1/dossiers/{id}/control-slip                    | 401/401 200/200 200/200 404/404 404/404 404/404 200/404 200/404 200/404 200/404 404/200 200/404",
    "GET /api/v1/dossiers/{id}/postal/label.pdf                | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 403/403",
    "GET /api/v1/dossiers/{id}/postal/slip.pdf                 | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 403/403",
    "GET /api/v1/dossiers/{id}/files/{file_id}                 | 401/401 200/200 200/200 404/404 404/404 404/404 200/404 200/404 200/404 200/404 404/200 200/404",
    "GET /api/v1/dossiers/{id}/components/{key}/signature      | 401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "GET /api/v1/dossiers/{id}/documents                       | 401/401 200/200 200/200 404/404 404/404 404/404 200/404 200/404 200/404 200/404 404/200 200/404",
    "GET /api/v1/dossiers/{id}/documents/{document_id}         | 401/401 200/200 200/200 404/404 404/404 404/404 200/404 200/404 200/404 200/404 404/200 200/404",
    "GET /api/v1/kpi                                           | 401     200     200     403     403     200     200     403     403     200     200     403",
    "GET /api/v1/index                                         | 401     200     200     403     403     200     200     403     403     200     200     403",
    "GET /api/v1/index/ranking                                 | 401     200     200     403     403     200     200     403     403     200     200     403",
    "GET /api/v1/index/report                                  | 401     200     200     403     403     200     200     403     403     200     200     403",
    "GET /api/v1/dashboard/report                              | 401     200     200     403     403     200     200     403     403     200     200     403",
    "GET /api/v1/index/point-tables                            | 401     200     200     403     403     200     200     403     403     200     200     403",
    "POST /api/v1/index/point-tables                           | 401     422     403     403     403     403     403     403     403     403     403     403",
    "POST /api/v1/index/imports                                | 401     422     422     422     422     422     422     422     422     422     422     422",
    "GET /can-bo/chi-so/bao-cao.csv                            | 303     200     200     403     403     200     200     403     403     200     200     403",
    "GET /can-bo/chi-so/bao-cao.pdf                            | 303     200     200     403     403     200     200     403     403     200     200     403",
    "GET /can-bo/chi-so/bao-cao.xlsx                           | 303     200     200     403     403     200     200     403     403     200     200     403",
    "GET /du-lieu-mo                                           | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /open-data/thong-ke/{file}                            | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/me/notifications                              | 401     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/dvcqg/reconciliations                         | 401     200     403     403     403     403     403     403     403     403     403     403",
    "GET /api/v1/dvcqg/reconciliations/{id}                    | 401/401 404/404 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "POST /api/v1/dvcqg/reconciliations                        | 401     422     422     422     422     422     422     422     422     422     422     422",
    "GET /api/v1/outbox                                        | 401     200     403     403     403     403     403     403     403     403     403     403",
    "GET /api/v1/dvcqg/inbound-errors                          | 401     200     403     403     403     403     403     403     403     403     403     403",
    "GET /api/v1/system/status                                 | 401     200     403     403     403     403     403     403     403     403     403     403",
    "GET /api/v1/procedures                                    | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/procedures/{code}                             | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/procedures/{code}/diff                        | 401     200     403     403     403     403     200     403     403     403     200     403",
    "GET /api/v1/procedures/{code}/versions                    | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/procedures/{code}/workflow                    | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/register                                      | 401     200     200     200     200     200     200     200     200     200     200     403",
    "GET /api/v1/sectors                                       | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/tracking/{code}                               | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/users                                         | 401     200     200     403     403     200     200     403     403     200     200     403",
    "GET /api/v1/users/{id}                                    | 401/401 200/200 200/200 404/404 404/404 404/404 200/404 404/404 200/404 200/404 404/200 404/404",
    "GET /api/v1/verification/{document_id}                    | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /assets/site.css                                      | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /assets/upload.js                                     | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /assets/{file}                                        | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /can-bo/ho-so                                         | 303     200     200     200     200     200     200     200     200     200     200     403",
    "GET /can-bo/ho-so.csv                                     | 303     200     200     200     200     200     200     200     200     200     200     403",
    "GET /can-bo/ho-so.xlsx                                    | 303     200     200     200     200     200     200     200     200     200     200     403",
    "GET /can-bo/ho-so/{id}                                    | 303/303 200/200 200/200 404/404 404/404 404/404 200/404 200/404 200/404 200/404 404/200 403/403",
    "GET /can-bo/ho-so/{id}/giay-tiep-nhan                     | 303/303 200/200 200/200 404/404 404/404 404/404 200/404 200/404 200/404 200/404 404/200 403/403",
    "GET /can-bo/ho-so/{id}/phieu-kiem-soat                    | 303/303 200/200 200/200 404/404 404/404 404/404 200/404 200/404 200/404 200/404 404/200 403/403",
    "GET /can-bo/ho-so/{id}/tep/{file_id}                      | 303/303 200/200 200/200 404/404 404/404 404/404 200/404 200/404 200/404 200/404 404/200 403/403",
    "GET /can-bo/ho-so/{id}/thanh-phan/{key}/chu-ky            | 303/303 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 403/403",
    "GET /can-bo/chi-so                                         | 303     200     200     403     403     200     200     403     403     200     200     403",
    "GET /can-bo/chi-so/766                                     | 303     200     200     403     403     200     200     403     403     200     200     403",
    "GET /can-bo/chi-so/766/{indicator}                         | 303     200     200     403     403     200     200     403     403     200     200     403",
    "GET /can-bo/chi-so/ho-so                                   | 303     200     200     403     403     200     200     403     403     200     200     403",
    "GET /can-bo/chi-so/man-hinh                                | 303     200     200     403     403     200     200     403     403     200     200     403",
    "GET /can-bo/chi-so/man-hinh/su-kien                        | 303     200     200     403     403     200     200     403     403     200     200     403",
    "GET /can-bo/so-theo-doi                                   | 303     200     200     200     200     200     200     200     200     200     200     403",
    "GET /can-bo/so-theo-doi.csv                               | 303     200     200     200     200     200     200     200     200     200     200     403",
    "GET /can-bo/so-theo-doi.pdf                               | 303     200     200     200     200     200     200     200     200     200     200     403",
    "GET /can-bo/so-theo-doi.xlsx                              | 303     200     200     200     200     200     200     200     200     200     200     403",
    "GET /can-bo/thong-bao                                     | 303     200     200     200     200     200     200     200     200     200     200     403",
    "GET /can-bo/chi-tieu                                      | 303     200     200     403     403     403     200     403     403     200     403     403",
    "POST /can-bo/chi-tieu                                     | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /can-bo/chi-tieu/xoa                                 | 303     403     403     403     403     403     403     403     403     403     403     403",
    "DELETE /api/v1/queue/appointments/{id}                    | 401/401 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 404/404",
    "GET /api/v1/queue/appointments                            | 401     403     403     403     403     403     403     403     403     403     403     200",
    "GET /api/v1/queue/board                                   | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/queue/centres                                 | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/queue/desk                                    | 401     403     403     200     403     403     403     200     403     403     403     403",
    "GET /api/v1/queue/figures                                 | 401     200     200     403     403     403     403     403     403     403     403     403",
    "GET /api/v1/queue/kiosk                                   | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/queue/slots                                   | 400     400     400     400     400     400     400     400     400     400     400     400",
    "GET /api/v1/queue/tickets/{id}                            | 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "POST /api/v1/queue/appointments                           | 401     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/queue/check-in                               | 422     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/queue/counters/{id}/call-next                | 401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "POST /api/v1/queue/tickets                                | 422     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/queue/tickets/{id}/dossiers                  | 401/401 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422",
    "POST /api/v1/queue/tickets/{id}/finish                    | 401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "POST /api/v1/queue/tickets/{id}/recall                    | 401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "POST /api/v1/queue/tickets/{id}/skip                      | 401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "POST /api/v1/queue/tickets/{id}/start                     | 401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "POST /api/v1/queue/tickets/{id}/transfer                  | 401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "PUT /api/v1/queue/counters                                | 401     422     422     422     422     422     422     422     422     422     422     422",
    "PUT /api/v1/queue/groups                                  | 401     422     422     422     422     422     422     422     422     422     422     422",
    "GET /ca-nhan/lich-hen                                      | 303     403     403     403     403     403     403     403     403     403     403     200",
    "POST /ca-nhan/lich-hen                                     | 303     403     403     403     403     403     403     403     403     403     403     403",
    "GET /can-bo/xep-hang                                       | 303     403     403     200     403     403     403     200     403     403     403     403",
    "POST /can-bo/xep-hang                                      | 303     403     403     403     403     403     403     403     403     403     403     403",
    "GET /can-bo/xep-hang/so-lieu                               | 303     200     200     403     403     403     403     403     403     403     403     403",
    "GET /can-bo/xep-hang/so-lieu.csv                           | 303     200     200     403     403     403     403     403     403     403     403     403",
    "GET /xep-hang                                              | 200     200     200     200     200     200     200     200     200     200     200     200",
    "POST /xep-hang                                             | 404     404     404     404     404     404     404     404     404     404     404     404",
    "GET /xep-hang/bang                                         | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /xep-hang/bang/su-kien                                 | 404     404     404     404     404     404     404     404     404     404     404     404",
    "GET /xep-hang/ve/{id}                                      | 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "POST /xep-hang/ve/{id}                                     | 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "GET /api/v1/targets                                       | 401     200     200     403     403     403     200     403     403     200     403     403",
    "PUT /api/v1/targets                                       | 401     200     403     403     403     403     200     403     403     200     403     403",
    "DELETE /api/v1/targets                                    | 401     404     403     403     403     403     404     403     403     404     403     403",
    "GET /can-bo/danh-gia                                      | 303     200     200     403     403     404     200     403     403     200     404     403",
    "GET /api/v1/ratings/summary                               | 401     200     200     403     403     404     200     403     403     200     404     403",
    "GET /can-bo/tiep-nhan                                     | 303     403     403     200     403     403     403     200     403     403     403     403",
    "GET /dang-nhap                                            | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /dang-nhap/oidc/{kind}/callback                       | 404     404     404     404     404     404     404     404     404     404     404     404",
    "GET /healthz                                              | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /ho-so/{id}/giay-to/{doc_id}                          | 303/303 200/200 200/200 404/404 404/404 404/404 200/404 200/404 200/404 200/404 404/200 200/404",
    "GET /ho-so-cua-toi                                        | 303     403     403     403     403     403     403     403     403     403     403     200",
    "GET /ho-so-cua-toi/{id}                                   | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 200/404",
    "GET /ho-so-cua-toi/{id}/bien-nhan                         | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 200/404",
    "GET /ho-so-cua-toi/{id}/thanh-phan/{key}                  | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 303/404",
    "GET /ho-so-cua-toi/{id}/xem-lai                           | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 303/404",
    "GET /ho-so-cua-toi/{id}/buu-chinh                         | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 303/404",
    "GET /lich/{year}                                          | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /man-hinh/quay/{agency_id}                            | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 200/403 403/403 403/403 403/403 403/403",
    "GET /man-hinh/quay/{agency_id}/su-kien                    | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 200/403 403/403 403/403 403/403 403/403",
    "GET /metrics                                              | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /nop-ho-so/{code}                                     | 303     403     403     403     403     403     403     403     403     403     403     200",
    "GET /open-data                                            | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /open-data/procedures.csv                             | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /open-data/procedures.json                            | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /quan-tri/co-quan                                     | 303     200     403     403     403     403     200     403     403     403     200     403",
    "GET /quan-tri/lich                                        | 303     200     403     403     403     403     200     403     403     403     200     403",
    "GET /quan-tri/nguoi-dung                                  | 303     200     403     403     403     403     200     403     403     403     200     403",
    "GET /quan-tri/nguoi-dung/{id}/khoa                        | 303/303 200/200 403/403 403/403 403/403 403/403 200/404 403/403 403/403 403/403 404/200 403/403",
    "GET /quan-tri/dong-bo-dvcqg                               | 303     200     403     403     403     403     403     403     403     403     403     403",
    "GET /quan-tri/doi-soat-thanh-toan                         | 303     200     403     403     403     403     403     403     403     403     403     403",
    "GET /quan-tri/nhat-ky-truy-cap                            | 303     200     200     403     403     403     200     403     403     403     200     403",
    "GET /quan-tri/ho-so-tu-cong-dvcqg                         | 303     200     403     403     403     403     403     403     403     403     403     403",
    "GET /quan-tri/he-thong                                    | 303     200     403     403     403     403     403     403     403     403     403     403",
    "GET /quan-tri/quy-trinh                                   | 303     200     403     403     403     403     200     403     403     403     200     403",
    "GET /quan-tri/quy-trinh/{code}                            | 303     200     403     403     403     403     200     403     403     403     200     403",
    "GET /quan-tri/thu-tuc                                     | 303     200     403     403     403     403     403     403     403     403     403     403",
    "GET /quan-tri/thu-tuc/moi                                 | 303     200     403     403     403     403     403     403     403     403     403     403",
    "GET /quan-tri/thu-tuc/quoc-gia                            | 303     200     403     403     403     403     403     403     403     403     403     403",
    "GET /quan-tri/thu-tuc/{code}                              | 303     200     403     403     403     403     403     403     403     403     403     403",
    "GET /quan-tri/thu-tuc/{code}/mau-ket-qua                  | 303     200     403     403     403     403     403     403     403     403     403     403",
    "GET /quan-tri/thu-tuc/{code}/so-sanh                      | 303     200     403     403     403     403     403     403     403     403     403     403",
    "GET /quan-tri/thu-tuc/{code}/sua-doi                      | 303     200     403     403     403     403     403     403     403     403     403     403",
    "GET /readyz                                               | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /thu-tuc                                              | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /tai-khoan/mat-khau                                   | 303     200     200     200     200     200     200     200     200     200     200     200",
    "GET /thu-tuc/mau/{file}                                   | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /thu-tuc/{code}                                       | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /tra-cuu                                              | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /danh-gia                                             | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /xac-thuc                                             | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /xac-thuc/{document_id}                               | 200     200     200     200     200     200     200     200     200     200     200     200",
    "PATCH /api/v1/agencies/{id}                               | 401/401 200/200 403/403 403/403 403/403 403/403 200/403 403/403 403/403 403/403 403/200 403/403",
    "PATCH /api/v1/users/{id}                                  | 401/401 200/200 403/403 404/404 404/404 404/404 200/404 404/404 403/404 403/404 404/200 404/404",
    "POST /api/v1/agencies                                     | 401     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/agencies/{id}/merge                          | 401/401 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422",
    "POST /api/v1/agencies/{id}/rename                         | 401/401 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422",
    "POST /api/v1/auth/login                                   | 422     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/auth/logout                                  | 401     204     204     204     204     204     204     204     204     204     204     204",
    "POST /api/v1/auth/password                                | 401     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/auth/tokens                                  | 401     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/catalog/import                               | 401     422     403     403     403     403     403     403     403     403     403     403",
    "POST /api/v1/catalog/national-imports                     | 401     502     403     403     403     403     403     403     403     403     403     403",
    "POST /api/v1/catalog/national-imports/latest/publish      | 401     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/dossiers                                     | 401     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/dossiers/{id}/extension                      | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/fee-notices                    | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/forward                        | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/payments                       | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/rating                         | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/receive                        | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/refuse                         | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/online-payments                | 401/401 409/409 409/409 409/409 409/409 409/409 409/409 409/409 409/409 409/409 409/409 409/409",
    "GET /api/v1/dossiers/{id}/online-payments                 | 401/401 200/200 200/200 404/404 404/404 404/404 200/404 200/404 200/404 200/404 404/200 200/404",
    "GET /api/v1/payments/reconciliations                      | 401     200     403     403     403     403     403     403     403     403     403     403",
    "POST /api/v1/payments/reconciliations                     | 401     422     422     422     422     422     422     422     422     422     422     422",
    "GET /api/v1/payments/vnpay/ipn                            | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /thanh-toan/vnpay/ket-qua                             | 409     409     409     409     409     409     409     409     409     409     409     409",
    "POST /api/v1/ratings                                      | 422     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/dossiers/{id}/refuse-after-appraisal         | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/resolve                        | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/return                         | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/post                           | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/post-delivered                 | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/post-undelivered               | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/postal                         | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/post/events                                  | 401     401     401     401     401     401     401     401     401     401     401     401",
    "POST /api/v1/dossiers/{id}/send-back                      | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/stop                           | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/submit                         | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/supplement-requests            | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/supplements                    | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/dossiers/{id}/withdraw                       | 401/401 409/409 409/409 404/404 404/404 404/404 409/404 409/404 409/404 409/404 404/409 409/404",
    "POST /api/v1/procedures                                   | 401     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/procedures/{code}/abolish                    | 401     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/procedures/{code}/replace                    | 401     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/procedures/{code}/versions                   | 401     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/procedures/{code}/versions/{version}/publish | 401     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/users                                        | 401     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/users/{id}/password                          | 401/401 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422",
    "POST /api/v1/verification                                 | 422     422     422     422     422     422     422     422     422     422     422     422",
    "POST /can-bo/ho-so/{id}/tep                               | 303/303 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400",
    "POST /can-bo/ho-so/{id}/tep-ket-qua                       | 303/303 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400",
    "POST /can-bo/ho-so/{id}/so-hoa                            | 303/303 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400",
    "POST /can-bo/ho-so/{id}/{action}                          | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "POST /can-bo/tiep-nhan                                    | 303     400     400     400     400     400     400     400     400     400     400     400",
    "POST /dang-nhap                                           | 422     422     422     422     422     422     422     422     422     422     422     422",
    "POST /dang-nhap/oidc/{kind}                               | 404     404     404     404     404     404     404     404     404     404     404     404",
    "POST /danh-gia                                            | 422     422     422     422     422     422     422     422     422     422     422     422",
    "POST /dang-xuat                                           | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /ho-so-cua-toi/{id}/bo-sung                          | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "POST /ho-so-cua-toi/{id}/bo-sung/tep                      | 303/303 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400",
    "POST /ho-so-cua-toi/{id}/danh-gia                         | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "GET /ho-so-cua-toi/{id}/thanh-toan                        | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 200/404",
    "POST /ho-so-cua-toi/{id}/thanh-toan                       | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "POST /ho-so-cua-toi/{id}/nop                              | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "POST /ho-so-cua-toi/{id}/buu-chinh                        | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "POST /ho-so-cua-toi/{id}/thanh-phan/{key}                 | 303/303 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400",
    "POST /man-hinh/quay/{agency_id}/ban-nhap                  | 401/401 415/415 415/415 415/415 415/415 415/415 415/415 415/415 415/415 415/415 415/415 415/415",
    "POST /man-hinh/quay/{agency_id}/danh-gia                  | 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422",
    "POST /nop-ho-so/{code}                                    | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/ho-so-tu-cong-dvcqg/{id}/thu-lai           | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "POST /quan-tri/dong-bo-dvcqg/doi-soat                     | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/doi-soat-thanh-toan                        | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/dong-bo-dvcqg/thu-lai/{id}                 | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "POST /quan-tri/co-quan                                    | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/co-quan/{id}/doi-ten                       | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "POST /quan-tri/lich                                       | 303     400     400     400     400     400     400     400     400     400     400     400",
    "POST /quan-tri/nguoi-dung                                 | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/nguoi-dung/{id}/khoa                       | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "POST /quan-tri/quy-trinh/{code}                           | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/thu-tuc/moi                                | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/thu-tuc/quoc-gia/cong-bo                   | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/thu-tuc/quoc-gia/nhap                      | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/thu-tuc/{code}/bai-bo                      | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/thu-tuc/{code}/cong-bo                     | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/thu-tuc/{code}/mau-ket-qua                 | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/thu-tuc/{code}/mau-ket-qua/xem-truoc       | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/thu-tuc/{code}/sua-doi                     | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /quan-tri/thu-tuc/{code}/thay-the                    | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /tai-khoan/mat-khau                                  | 303     403     403     403     403     403     403     403     403     403     403     403",
    "POST /xac-thuc                                            | 422     422     422     422     422     422     422     422     422     422     422     422",
    "PUT /api/v1/agencies/{id}/office-hours                    | 401/401 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422",
    "PUT /api/v1/calendar/years/{year}/schedule                | 401     422     422     422     422     422     422     422     422     422     422     422",
    "PUT /api/v1/dossiers/{id}/components/{key}/files          | 401/401 403/403 403/403 404/404 404/404 404/404 403/404 201/404 403/404 403/404 404/403 403/404",
    "POST /api/v1/dossiers/{id}/components/{key}/digitize      | 401/401 403/403 403/403 404/404 404/404 404/404 403/404 422/404 403/404 403/404 404/403 403/404",
    "POST /api/v1/me/notifications/read                        | 401     204     204     204     204     204     204     204     204     204     204     204",
    "POST /api/v1/outbox/{id}/retry                            | 401/401 404/404 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "POST /api/v1/dvcqg/inbound-errors/{id}/retry              | 401/401 404/404 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "POST /api/v1/dvcqg/ho-so                                  | 401     401     401     401     401     401     401     401     401     401     401     401",
    "PUT /api/v1/procedures/{code}/workflow                    | 401     422     422     422     422     422     422     422     422     422     422     422",
    // Petitions (PAKN, issue #18): H and T are petitions filed to the two communes.
    "GET /api/v1/petitions                                      | 401     403     403     200     200     200     403     200     200     200     403     403",
    "GET /api/v1/petitions/contact-reads                        | 401     200     403     403     403     403     200     403     403     403     200     403",
    "GET /api/v1/petitions/published                            | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /api/v1/petitions/published/{code}                     | 404     404     404     404     404     404     404     404     404     404     404     404",
    "GET /api/v1/petitions/track/{code}                         | 400     400     400     400     400     400     400     400     400     400     400     400",
    "GET /api/v1/petitions/{id}                                 | 401/401 403/403 403/403 404/404 404/404 404/404 403/403 404/404 200/404 200/404 403/403 403/403",
    "GET /api/v1/petitions/{id}/contact                         | 401/401 403/403 403/403 404/404 404/404 404/404 403/403 404/404 200/404 200/404 403/403 403/403",
    "GET /can-bo/phan-anh                                       | 303     403     403     200     200     200     403     200     200     200     403     403",
    "GET /can-bo/phan-anh/nhat-ky-lien-he                       | 303     200     403     403     403     403     200     403     403     403     200     403",
    "GET /can-bo/phan-anh/{id}                                  | 303/303 403/403 403/403 404/404 404/404 404/404 403/403 404/404 200/404 200/404 403/403 403/403",
    "GET /phan-anh                                              | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /phan-anh/theo-doi                                     | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /phan-anh/tra-loi                                      | 200     200     200     200     200     200     200     200     200     200     200     200",
    "GET /phan-anh/tra-loi/{code}                               | 404     404     404     404     404     404     404     404     404     404     404     404",
    "POST /api/v1/petitions                                     | 422     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/petitions/track/{code}/complaint              | 422     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/petitions/track/{code}/rating                 | 422     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/petitions/track/{code}/supplement             | 422     422     422     422     422     422     422     422     422     422     422     422",
    "POST /api/v1/petitions/{id}/actions                        | 401/401 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422",
    "POST /can-bo/phan-anh/{id}                                 | 303/303 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    "POST /phan-anh                                             | 422     422     422     422     422     422     422     422     422     422     422     422",
    "POST /phan-anh/theo-doi                                    | 404     404     404     404     404     404     404     404     404     404     404     404",
];

/// One caller: a cookie jar that follows no redirect, and the CSRF token of its session.
struct Caller {
    http: reqwest::Client,
    csrf: Option<String>,
}

async fn caller(app: &TestApp, who: &str) -> Caller {
    let http = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    if who == "anon" {
        return Caller { http, csrf: None };
    }
    let r = http
        .post(format!("{}/api/v1/auth/login", app.url))
        .json(&json!({"username": who, "password": "Motcua@2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "login {who}");
    let b: Value = r.json().await.unwrap();
    Caller { http, csrf: b["csrf_token"].as_str().map(str::to_string) }
}

/// The two sides of every id: Hoa Lư's (H) and Tam Điệp's (T).
#[derive(Default)]
struct Side {
    dossier: String,
    file: String,
    /// A document issued at reception (form 01).
    document: String,
    user: String,
    agency: String,
    counter: String,
    /// A petition (PAKN) filed to the commune.
    petition: String,
}

struct Fixture {
    h: Side,
    t: Side,
    h_code: String,
}

async fn json_ok(c: &Caller, app: &TestApp, method: Method, path: &str, body: Value, want: StatusCode) -> Value {
    let mut req = c.http.request(method, format!("{}{path}", app.url)).json(&body);
    if let Some(t) = &c.csrf {
        req = req.header("x-csrf-token", t);
    }
    let r = req.send().await.unwrap();
    let s = r.status();
    let b: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(s, want, "{path}: {b}");
    b
}

/// An online dossier of the commune procedure filed at `centre`, its files attached,
/// submitted, then received by `clerk`. Returns (dossier id, a file id, a document id, code).
async fn received_at(app: &TestApp, citizen: &Caller, clerk: &Caller, centre: &'static str) -> (String, String, String, String) {
    let centre_id = app.agency_id(centre).await;
    let d = json_ok(
        citizen,
        app,
        Method::POST,
        "/api/v1/dossiers",
        json!({"procedure_code": COMMUNE, "receiving_agency_id": centre_id,
        "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678"}}),
        StatusCode::CREATED,
    )
    .await;
    let id = d["id"].as_str().unwrap().to_string();
    let mut version = d["version"].clone();
    for key in ["to_khai", "giay_to_tuy_than"] {
        let r = citizen
            .http
            .put(format!("{}/api/v1/dossiers/{id}/components/{key}/files?name=a.pdf", app.url))
            .header("content-type", "application/pdf")
            .header("x-csrf-token", citizen.csrf.clone().unwrap())
            .body(PDF.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        version = r.json::<Value>().await.unwrap()["version"].clone();
    }
    let d = json_ok(
        citizen,
        app,
        Method::POST,
        &format!("/api/v1/dossiers/{id}/submit"),
        json!({"version": version}),
        StatusCode::OK,
    )
    .await;
    let file = d["files"][0]["id"].as_str().unwrap().to_string();
    let d = json_ok(
        clerk,
        app,
        Method::POST,
        &format!("/api/v1/dossiers/{id}/receive"),
        json!({"version": d["version"]}),
        StatusCode::OK,
    )
    .await;
    let docs = json_ok(clerk, app, Method::GET, &format!("/api/v1/dossiers/{id}/documents"), json!({}), StatusCode::OK).await;
    let document = docs[0]["id"].as_str().unwrap().to_string();
    (id, file, document, d["code"].as_str().unwrap().to_string())
}

/// The id of a petition filed anonymously to `unit`.
async fn petition_at(app: &TestApp, unit: &str) -> String {
    let anon = caller(app, "anon").await;
    let b =
        json_ok(&anon, app, Method::POST, "/api/v1/petitions", json!({"unit": unit, "body": "Phản ánh"}), StatusCode::CREATED)
            .await;
    let code = b["code"].as_str().unwrap().to_string();
    app.ctx.store.read(move |db| motcua_store::repo::petitions::by_code(db, &code)).await.unwrap().unwrap().id
}

async fn fixture(app: &TestApp) -> Fixture {
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let admin = caller(app, "admin").await;
    let tamdiep_counter = app.agency_id("000.02.32.H40").await;
    let clerk_t = json_ok(
        &admin,
        app,
        Method::POST,
        "/api/v1/users",
        json!({"username": "tiepnhan.tamdiep", "full_name": "Đỗ Văn Bình",
        "password": "Motcua@2026", "memberships": [{"agency_id": tamdiep_counter, "role": "reception_officer"}]}),
        StatusCode::CREATED,
    )
    .await;
    json_ok(
        &admin,
        app,
        Method::POST,
        "/api/v1/users",
        json!({"username": "congdan2", "full_name": "Lê Văn Cường",
        "password": "Motcua@2026", "account_type": "citizen", "memberships": []}),
        StatusCode::CREATED,
    )
    .await;
    let (h_dossier, h_file, h_document, h_code) =
        received_at(app, &caller(app, "congdan").await, &caller(app, "tiepnhan.hoalu").await, "000.01.31.H40").await;
    let (t_dossier, t_file, t_document, _) =
        received_at(app, &caller(app, "congdan2").await, &caller(app, "tiepnhan.tamdiep").await, "000.01.32.H40").await;
    Fixture {
        h: Side {
            dossier: h_dossier,
            file: h_file,
            document: h_document,
            user: app.user_id("chuyenvien.hoalu").await,
            agency: app.agency_id("000.00.31.H40").await,
            counter: app.agency_id("000.02.31.H40").await,
            petition: petition_at(app, "000.00.31.H40").await,
        },
        t: Side {
            dossier: t_dossier,
            file: t_file,
            document: t_document,
            user: clerk_t["id"].as_str().unwrap().to_string(),
            agency: app.agency_id("000.00.32.H40").await,
            counter: tamdiep_counter,
            petition: petition_at(app, "000.00.32.H40").await,
        },
        h_code,
    }
}

/// Whether the route takes an id that belongs to one side or the other.
fn sided(path: &str) -> bool {
    path.contains("{id}") || path.contains("{agency_id}") || path.contains("{file_id}")
}

/// The concrete request for a route on one side: path with query, and body.
fn request(path: &str, s: &Side, f: &Fixture) -> (String, Option<Value>) {
    let id = if path.starts_with("/api/v1/users") || path.starts_with("/quan-tri/nguoi-dung") {
        &s.user
    } else if path.starts_with("/api/v1/agencies") || path.starts_with("/quan-tri/co-quan") {
        &s.agency
    } else if path.starts_with("/api/v1/petitions") || path.starts_with("/can-bo/phan-anh") {
        &s.petition
    } else {
        &s.dossier
    };
    let code = if path.starts_with("/nop-ho-so") { COMMUNE } else { PROVINCE };
    let mut p = path
        .replace("{id}", id)
        .replace("{file_id}", &s.file)
        .replace("{document_id}", &s.document)
        .replace("{doc_id}", &s.document)
        .replace("{agency_id}", &s.counter)
        .replace(
            "{code}",
            if path.starts_with("/api/v1/tracking")
                || path.starts_with("/api/v1/archive/")
                || path.starts_with("/quan-tri/luu-tru/")
            {
                &f.h_code
            } else {
                code
            },
        )
        .replace("{version}", "1")
        .replace("{indicator}", "2.1")
        .replace("{year}", "2026")
        .replace("{key}", "to_khai")
        .replace("{kind}", "citizen")
        .replace("{action}", "forward")
        .replace(
            "{file}",
            if path.starts_with("/assets") {
                "counter.js"
            } else if path.starts_with("/open-data/thong-ke") {
                "2026-02.csv"
            } else {
                "don_de_nghi_cap_giay_phep_xay_dung_nha_o.docx"
            },
        );
    let query = match path {
        "/api/v1/tracking/{code}" => "?check=1234",
        "/api/v1/kpi"
        | "/api/v1/register"
        | "/can-bo/so-theo-doi"
        | "/can-bo/so-theo-doi.csv"
        | "/can-bo/so-theo-doi.pdf"
        | "/can-bo/so-theo-doi.xlsx" => "?from=2026-03-02&to=2026-03-02",
        "/api/v1/index" | "/api/v1/index/ranking" => "?period=2026-03",
        "/api/v1/index/report" | "/api/v1/dashboard/report" => "?period=2026-03&format=csv",
        "/can-bo/chi-so/bao-cao.csv" | "/can-bo/chi-so/bao-cao.pdf" | "/can-bo/chi-so/bao-cao.xlsx" => "?view=766&period=2026-03",
        "/api/v1/calendar/due" => "?from=2026-03-02T09:00:00%2B07:00&working_days=3",
        "/api/v1/calendar/lunar" => "?date=2026-03-02",
        "/api/v1/calendar/solar" => "?lunar=2026-01-14",
        "/api/v1/procedures/{code}/diff" => "?from=1&to=1",
        // A target of Hoa Lư for the fixture's month (GET reads the unit's, DELETE deletes one).
        "/api/v1/targets" | "/can-bo/chi-tieu" => "?unit=000.00.31.H40&period=2026-03&metric=online_share",
        "/api/v1/ratings/summary" | "/can-bo/danh-gia" => "?unit=000.00.31.H40&from=2026-03-01&to=2026-03-31",
        // The province's service centre (its demo queue) and the fixture's day.
        "/api/v1/queue/kiosk" | "/api/v1/queue/board" | "/xep-hang/bang" => "?centre=000.00.20.H40",
        "/api/v1/queue/figures" | "/can-bo/xep-hang/so-lieu" | "/can-bo/xep-hang/so-lieu.csv" => {
            "?centre=000.00.20.H40&from=2026-03-02&to=2026-03-02"
        }
        "/api/v1/dossiers/{id}/components/{key}/files" => "?name=a.pdf",
        _ => "",
    };
    p.push_str(query);
    let cmd = path.strip_prefix("/api/v1/dossiers/{id}/").unwrap_or("");
    let body = match cmd {
        "submit" | "receive" | "supplements" | "forward" => json!({"version": 0}),
        "refuse" | "refuse-after-appraisal" => json!({"version": 0, "reasons": ["x"]}),
        "supplement-requests" => json!({"version": 0, "items": [{"name": "x", "reason": "y"}]}),
        "send-back" | "stop" | "withdraw" => json!({"version": 0, "reason": "x"}),
        "fee-notices" => json!({"version": 0, "items": [{"name": "x", "amount": 1}]}),
        "payments" => json!({"version": 0, "method": "cash", "receipt_number": "x"}),
        "extension" => json!({"version": 0, "reason": "x", "new_date": "2026-12-31"}),
        "resolve" => json!({"version": 0, "name": "x"}),
        "return" => json!({"version": 0, "method": "counter"}),
        "postal" => json!({"version": 0, "result_by_post": true,
            "address": {"recipient": "x", "phone": "0912345678", "commune_code": "000.00.31.H40", "street": "x"}}),
        "post" => json!({"version": 0, "tracking_number": "EL123456789VN", "fee": 0}),
        "post-delivered" => json!({"version": 0}),
        "post-undelivered" => json!({"version": 0, "reason": "x"}),
        "rating" => json!({"version": 0, "satisfied": true}),
        _ if path == "/api/v1/targets" => {
            json!({"unit": "000.00.31.H40", "period": "2026-03", "metric": "online_share", "target_percent": 50})
        }
        _ => json!({}),
    };
    (p, Some(body))
}

async fn status(app: &TestApp, c: &Caller, method: &Method, path: &str, body: Option<Value>, page: bool) -> u16 {
    let url = format!("{}{path}", app.url);
    let mut req = c.http.request(method.clone(), url);
    if let Some(t) = &c.csrf {
        req = req.header("x-csrf-token", t);
    }
    if *method != Method::GET {
        req = if path.contains("/components/") {
            req.header("content-type", "application/pdf").body(PDF.to_vec())
        } else if page {
            req.header("content-type", "application/x-www-form-urlencoded").body("")
        } else {
            req.json(&body.unwrap_or(json!({})))
        };
    }
    req.send().await.unwrap().status().as_u16()
}

/// Every route the app serves: the OpenAPI operations and the page table, as "METHOD path".
async fn routes(app: &TestApp) -> Vec<(String, bool)> {
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.url)).await.unwrap().json().await.unwrap();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (m, _) in item.as_object().unwrap() {
            if ["get", "post", "put", "patch", "delete"].contains(&m.as_str()) {
                out.push((format!("{} {path}", m.to_uppercase()), false));
            }
        }
    }
    for (path, methods) in motcua_web::page_routes() {
        for m in methods {
            out.push((format!("{m} {path}"), true));
        }
    }
    out.sort();
    out
}

both_backends! {
    async fn every_route_for_every_role(app) {
        let f = fixture(&app).await;
        let routes = routes(&app).await;
        let names: BTreeSet<&str> = routes.iter().map(|(r, _)| r.as_str()).collect();
        let table: BTreeMap<&str, &str> = MATRIX
            .iter()
            .map(|row| {
                let (route, cells) = row.split_once('|').unwrap_or_else(|| panic!("no '|' in {row}"));
                (route.trim(), cells.trim())
            })
            .collect();
        let missing: Vec<&&str> = names.iter().filter(|r| !table.contains_key(**r)).collect();
        let stale: Vec<&&str> = table.keys().filter(|r| !names.contains(**r)).collect();

        let mut callers = Vec::new();
        for who in WHO {
            callers.push(caller(&app, who).await);
        }
        let mut actual: Vec<(String, String)> = Vec::new();
        for (route, page) in &routes {
            let (m, path) = route.split_once(' ').unwrap();
            let method = Method::from_bytes(m.as_bytes()).unwrap();
            let logout = path == "/api/v1/auth/logout" || path == "/dang-xuat";
            let mut cells = Vec::new();
            for (i, who) in WHO.iter().enumerate() {
                // Logging out ends the session: those rows use a session of their own.
                let own;
                let c = if logout { own = caller(&app, who).await; &own } else { &callers[i] };
                let mut cell = Vec::new();
                let sides: Vec<&Side> = if sided(path) { vec![&f.h, &f.t] } else { vec![&f.h] };
                for s in sides {
                    let (p, body) = request(path, s, &f);
                    cell.push(status(&app, c, &method, &p, body, *page).await.to_string());
                }
                cells.push(cell.join("/"));
            }
            actual.push((route.clone(), cells.join(" ")));
        }
        let wrong: Vec<String> = actual
            .iter()
            .filter(|(r, got)| table.get(r.as_str()).is_some_and(|want| want.split_whitespace().collect::<Vec<_>>() != got.split_whitespace().collect::<Vec<_>>()))
            .map(|(r, got)| format!("{r}\n   want {}\n   got  {got}", table[r.as_str()]))
            .collect();
        let dump: String = actual.iter().map(|(r, got)| format!("    {r} | {got}\n")).collect();
        assert!(
            missing.is_empty() && stale.is_empty() && wrong.is_empty(),
            "routes without a row: {missing:?}\nrows without a route: {stale:?}\ndiffering:\n{}\n\nthe table as served:\n{dump}",
            wrong.join("\n")
        );
        // The page table names its methods truly: the others are refused.
        let anon = &callers[0];
        for (path, methods) in motcua_web::page_routes() {
            for m in [Method::GET, Method::POST] {
                if !methods.contains(&m.as_str()) {
                    let (p, _) = request(path, &f.h, &f);
                    assert_eq!(status(&app, anon, &m, &p, None, true).await, 405, "{m} {path} is not in the table");
                }
            }
        }
        assert!(routes.len() * WHO.len() >= 1000, "{} routes", routes.len());
    }
}
