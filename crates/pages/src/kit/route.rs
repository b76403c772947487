//! The route table: every page path the pages link to or mount, in one enum. The router
//! mounts `pattern()`, templates and handlers link with `path()` (or `lang.href(route)`), so
//! no page carries a path literal.

use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    Home,
    Login,
    Logout,
    Catalog,
    Procedure(&'a str),
    CatalogTemplate(&'a str),
    Calendar(i16),
    OpenData,
    /// A file of the open data (`procedures.json` …).
    OpenDataFile(&'a str),
    /// A month's open statistics (`2026-03.csv`, `2026-03.json`).
    OpenStats(&'a str),
    /// The open data as a page for people: the datasets and the months published.
    OpenDataPage,
    ApiDocs,
    Tracking,
    /// The kiosk rating of a counter dossier (code + the rating code on the receipt).
    CounterRating,
    /// Petitions (PAKN): the public filing form, the petitioner's follow page (code and
    /// secret), the published answers and one of them.
    Petitions,
    PetitionFollow,
    PetitionAnswers,
    PetitionAnswer(&'a str),
    /// The officers' petitions: the inbox, one petition (GET, POST an action), the log of
    /// contact reads.
    OfficerPetitions,
    OfficerPetition(&'a str),
    PetitionContactLog,
    /// Public verification of a document: by number (`?so=`) or an uploaded PDF (POST).
    Verify,
    /// Public verification of a document by the id its QR code links to.
    VerifyDocument(&'a str),
    FileOnline(&'a str),
    Component(&'a str, &'a str),
    /// A component of the draft taken from the applicant's data locker (POST).
    ComponentLocker(&'a str, &'a str),
    Review(&'a str),
    /// The applicant's postal choice on their draft (QĐ 45/2016).
    Postal(&'a str),
    Submit(&'a str),
    Receipt(&'a str),
    MyDossiers,
    /// The citizen's data locker (kho dữ liệu).
    MyLocker,
    /// The citizen's notification choices (issue #17).
    MyNotices,
    /// An item of it through the API, with the page session (downloads).
    LockerFile(&'a str),
    Dossier(&'a str),
    Supply(&'a str),
    SupplementFile(&'a str),
    Rate(&'a str),
    /// The citizen's payment of the noticed fees (GET the page, POST to the gateway).
    Pay(&'a str),
    /// A dossier's file through the API, with the page session (result downloads).
    DossierFile(&'a str, &'a str),
    OfficerInbox,
    /// The inbox's whole filtered list as a file (CSV, XLSX).
    OfficerInboxCsv,
    OfficerInboxXlsx,
    OfficerDossier(&'a str),
    ControlSlip(&'a str),
    /// A dossier's file for officers: inline (previews) or `?tai-ve=1` to download.
    OfficerFile(&'a str, &'a str),
    /// An action form's target: dossier id and the action's slug.
    OfficerAction(&'a str, &'a str),
    OfficerUpload(&'a str),
    OfficerResultUpload(&'a str),
    /// Scan and certify a component (or the paper result) of a dossier.
    OfficerDigitize(&'a str),
    /// The detached signature (`.p7s`) certifying a component's scan: dossier id, component key.
    OfficerSignature(&'a str, &'a str),
    Register,
    /// The operations dashboard of a unit (issue #16), the 766 index, an indicator's
    /// figures by procedure, the dossiers behind a number, the wall view and its events.
    Indicators,
    Index766,
    Index766Indicator(&'a str),
    IndicatorDossiers,
    IndicatorsWall,
    IndicatorsWallEvents,
    /// The officer's in-app notifications (deadline reminders, escalations, digests).
    Notifications,
    /// Targets per unit and period, with progress (`?unit=&period=`); POST sets one.
    OfficerTargets,
    OfficerRatings,
    /// Delete a target (POST).
    OfficerTargetDelete,
    RegisterCsv,
    RegisterXlsx,
    /// The register as form 07 (PDF).
    RegisterPdf,
    /// A report of the indicators (`?view=766|dashboard&unit=&period=`) as a file.
    IndicatorReportCsv,
    IndicatorReportXlsx,
    IndicatorReportPdf,
    /// A document issued for a dossier (a form as PDF), for whoever may read the dossier.
    DossierDocument(&'a str, &'a str),
    CounterReception,
    CounterReceipt(&'a str),
    CounterScreen(&'a str),
    CounterEvents(&'a str),
    CounterDraft(&'a str),
    CounterScreenRate(&'a str),
    /// A static file under `/assets/` (scripts, the stylesheet).
    Asset(&'a str),
    AdminCatalog,
    AdminWorkflows,
    AdminCalendar,
    AdminAgencies,
    AdminUsers,
    AdminAgencyRename(&'a str),
    AdminUserLock(&'a str),
    /// Who read what: the access log, for administrators and supervisors.
    AdminAccessLog,
    /// Online dossiers from the national portal that did not become a dossier, with reasons.
    AdminInboundErrors,
    /// Take a failed portal dossier again (POST).
    AdminInboundRetry(&'a str),
    AdminArchive,
    AdminArchiveCsv,
    AdminArchivePackage(&'a str),
    AdminArchivePurge(&'a str),
    /// The system's state: version, uptime, database, queues, last backup.
    AdminSystem,
    AdminWorkflow(&'a str),
    AdminCatalogNew,
    /// Importing the national procedure database: the latest differences to review.
    AdminNational,
    AdminNationalImport,
    AdminNationalPublish,
    AdminProcedure(&'a str),
    AdminAmend(&'a str),
    AdminPublish(&'a str),
    AdminAbolish(&'a str),
    AdminReplace(&'a str),
    AdminDiff(&'a str),
    /// A procedure's result template (issue #13): edit and save.
    AdminResultTemplate(&'a str),
    /// Its preview as a PDF, nothing saved.
    AdminResultPreview(&'a str),
    /// Every logged-in user's own password.
    ChangePassword,
    /// The national portal sync: its queue, dead letters, reconciliations (`?run=` one's report).
    AdminDvcqg,
    /// The payment gateway reconciliation (GET the runs, POST a day).
    AdminPayments,
    /// Reconcile a period now (POST).
    AdminDvcqgReconcile,
    /// Put a dead letter of the sync back in its queue (POST).
    AdminDvcqgRetry(&'a str),
    /// The queue (issue #18): the kiosk, a ticket (`?t=` its token), the hall board and its
    /// events, the officer's counter, the citizen's appointments, the figures.
    Kiosk,
    Ticket(&'a str),
    Board,
    BoardEvents,
    Desk,
    MyAppointments,
    QueueFigures,
    QueueFiguresCsv,
    /// Sign-in through an OIDC provider (`citizen`: VNeID, `officer`: the provincial SSO):
    /// the start (POST) and the provider's redirect back (GET).
    OidcStart(&'a str),
    OidcCallback(&'a str),
}

impl Route<'_> {
    /// The axum route pattern (`{name}` for each parameter).
    pub fn pattern(&self) -> &'static str {
        match self {
            Route::Home => "/",
            Route::Login => "/dang-nhap",
            Route::Logout => "/dang-xuat",
            Route::Catalog => "/thu-tuc",
            Route::Procedure(_) => "/thu-tuc/{code}",
            Route::CatalogTemplate(_) => "/thu-tuc/mau/{file}",
            Route::Calendar(_) => "/lich/{year}",
            Route::OpenData => "/open-data",
            Route::OpenDataFile(_) => "/open-data/{file}",
            Route::OpenStats(_) => "/open-data/thong-ke/{file}",
            Route::OpenDataPage => "/du-lieu-mo",
            Route::ApiDocs => "/api/docs/",
            Route::Tracking => "/tra-cuu",
            Route::CounterRating => "/danh-gia",
            Route::Petitions => "/phan-anh",
            Route::PetitionFollow => "/phan-anh/theo-doi",
            Route::PetitionAnswers => "/phan-anh/tra-loi",
            Route::PetitionAnswer(_) => "/phan-anh/tra-loi/{code}",
            Route::OfficerPetitions => "/can-bo/phan-anh",
            Route::OfficerPetition(_) => "/can-bo/phan-anh/{id}",
            Route::PetitionContactLog => "/can-bo/phan-anh/nhat-ky-lien-he",
            Route::Verify => "/xac-thuc",
            Route::VerifyDocument(_) => "/xac-thuc/{document_id}",
            Route::FileOnline(_) => "/nop-ho-so/{code}",
            Route::Component(..) => "/ho-so-cua-toi/{id}/thanh-phan/{key}",
            Route::ComponentLocker(..) => "/ho-so-cua-toi/{id}/thanh-phan/{key}/kho-du-lieu",
            Route::Review(_) => "/ho-so-cua-toi/{id}/xem-lai",
            Route::Postal(_) => "/ho-so-cua-toi/{id}/buu-chinh",
            Route::Submit(_) => "/ho-so-cua-toi/{id}/nop",
            Route::Receipt(_) => "/ho-so-cua-toi/{id}/bien-nhan",
            Route::MyDossiers => "/ho-so-cua-toi",
            Route::MyLocker => "/ca-nhan/kho-du-lieu",
            Route::MyNotices => "/ca-nhan/thong-bao",
            Route::LockerFile(_) => "/api/v1/me/locker/{id}/file",
            Route::Dossier(_) => "/ho-so-cua-toi/{id}",
            Route::Supply(_) => "/ho-so-cua-toi/{id}/bo-sung",
            Route::SupplementFile(_) => "/ho-so-cua-toi/{id}/bo-sung/tep",
            Route::Rate(_) => "/ho-so-cua-toi/{id}/danh-gia",
            Route::Pay(_) => "/ho-so-cua-toi/{id}/thanh-toan",
            Route::DossierFile(..) => "/api/v1/dossiers/{id}/files/{file_id}",
            Route::OfficerInbox => "/can-bo/ho-so",
            Route::OfficerInboxCsv => "/can-bo/ho-so.csv",
            Route::OfficerInboxXlsx => "/can-bo/ho-so.xlsx",
            Route::OfficerDossier(_) => "/can-bo/ho-so/{id}",
            Route::ControlSlip(_) => "/can-bo/ho-so/{id}/phieu-kiem-soat",
            Route::OfficerFile(..) => "/can-bo/ho-so/{id}/tep/{file_id}",
            Route::OfficerAction(..) => "/can-bo/ho-so/{id}/{action}",
            Route::OfficerUpload(_) => "/can-bo/ho-so/{id}/tep",
            Route::OfficerResultUpload(_) => "/can-bo/ho-so/{id}/tep-ket-qua",
            Route::OfficerDigitize(_) => "/can-bo/ho-so/{id}/so-hoa",
            Route::OfficerSignature(..) => "/can-bo/ho-so/{id}/thanh-phan/{key}/chu-ky",
            Route::Register => "/can-bo/so-theo-doi",
            Route::Indicators => "/can-bo/chi-so",
            Route::Index766 => "/can-bo/chi-so/766",
            Route::Index766Indicator(_) => "/can-bo/chi-so/766/{indicator}",
            Route::IndicatorDossiers => "/can-bo/chi-so/ho-so",
            Route::IndicatorsWall => "/can-bo/chi-so/man-hinh",
            Route::IndicatorsWallEvents => "/can-bo/chi-so/man-hinh/su-kien",
            Route::Notifications => "/can-bo/thong-bao",
            Route::OfficerTargets => "/can-bo/chi-tieu",
            Route::OfficerRatings => "/can-bo/danh-gia",
            Route::OfficerTargetDelete => "/can-bo/chi-tieu/xoa",
            Route::RegisterCsv => "/can-bo/so-theo-doi.csv",
            Route::RegisterXlsx => "/can-bo/so-theo-doi.xlsx",
            Route::RegisterPdf => "/can-bo/so-theo-doi.pdf",
            Route::IndicatorReportCsv => "/can-bo/chi-so/bao-cao.csv",
            Route::IndicatorReportXlsx => "/can-bo/chi-so/bao-cao.xlsx",
            Route::IndicatorReportPdf => "/can-bo/chi-so/bao-cao.pdf",
            Route::DossierDocument(..) => "/ho-so/{id}/giay-to/{doc_id}",
            Route::CounterReception => "/can-bo/tiep-nhan",
            Route::CounterReceipt(_) => "/can-bo/ho-so/{id}/giay-tiep-nhan",
            Route::CounterScreen(_) => "/man-hinh/quay/{agency_id}",
            Route::CounterEvents(_) => "/man-hinh/quay/{agency_id}/su-kien",
            Route::CounterDraft(_) => "/man-hinh/quay/{agency_id}/ban-nhap",
            Route::CounterScreenRate(_) => "/man-hinh/quay/{agency_id}/danh-gia",
            Route::Asset(_) => "/assets/{file}",
            Route::AdminCatalog => "/quan-tri/thu-tuc",
            Route::AdminWorkflows => "/quan-tri/quy-trinh",
            Route::AdminCalendar => "/quan-tri/lich",
            Route::AdminAgencies => "/quan-tri/co-quan",
            Route::AdminUsers => "/quan-tri/nguoi-dung",
            Route::AdminAgencyRename(_) => "/quan-tri/co-quan/{id}/doi-ten",
            Route::AdminUserLock(_) => "/quan-tri/nguoi-dung/{id}/khoa",
            Route::AdminAccessLog => "/quan-tri/nhat-ky-truy-cap",
            Route::AdminInboundErrors => "/quan-tri/ho-so-tu-cong-dvcqg",
            Route::AdminInboundRetry(_) => "/quan-tri/ho-so-tu-cong-dvcqg/{id}/thu-lai",
            Route::AdminArchive => "/quan-tri/luu-tru",
            Route::AdminArchiveCsv => "/quan-tri/luu-tru.csv",
            Route::AdminArchivePackage(_) => "/quan-tri/luu-tru/{code}/goi.zip",
            Route::AdminArchivePurge(_) => "/quan-tri/luu-tru/{code}/xoa-du-lieu-ca-nhan",
            Route::AdminSystem => "/quan-tri/he-thong",
            Route::AdminWorkflow(_) => "/quan-tri/quy-trinh/{code}",
            Route::AdminCatalogNew => "/quan-tri/thu-tuc/moi",
            Route::AdminNational => "/quan-tri/thu-tuc/quoc-gia",
            Route::AdminNationalImport => "/quan-tri/thu-tuc/quoc-gia/nhap",
            Route::AdminNationalPublish => "/quan-tri/thu-tuc/quoc-gia/cong-bo",
            Route::AdminProcedure(_) => "/quan-tri/thu-tuc/{code}",
            Route::AdminAmend(_) => "/quan-tri/thu-tuc/{code}/sua-doi",
            Route::AdminPublish(_) => "/quan-tri/thu-tuc/{code}/cong-bo",
            Route::AdminAbolish(_) => "/quan-tri/thu-tuc/{code}/bai-bo",
            Route::AdminReplace(_) => "/quan-tri/thu-tuc/{code}/thay-the",
            Route::AdminDiff(_) => "/quan-tri/thu-tuc/{code}/so-sanh",
            Route::AdminResultTemplate(_) => "/quan-tri/thu-tuc/{code}/mau-ket-qua",
            Route::AdminResultPreview(_) => "/quan-tri/thu-tuc/{code}/mau-ket-qua/xem-truoc",
            Route::ChangePassword => "/tai-khoan/mat-khau",
            Route::AdminDvcqg => "/quan-tri/dong-bo-dvcqg",
            Route::AdminPayments => "/quan-tri/doi-soat-thanh-toan",
            Route::AdminDvcqgReconcile => "/quan-tri/dong-bo-dvcqg/doi-soat",
            Route::AdminDvcqgRetry(_) => "/quan-tri/dong-bo-dvcqg/thu-lai/{id}",
            Route::Kiosk => "/xep-hang",
            Route::Ticket(_) => "/xep-hang/ve/{id}",
            Route::Board => "/xep-hang/bang",
            Route::BoardEvents => "/xep-hang/bang/su-kien",
            Route::Desk => "/can-bo/xep-hang",
            Route::MyAppointments => "/ca-nhan/lich-hen",
            Route::QueueFigures => "/can-bo/xep-hang/so-lieu",
            Route::QueueFiguresCsv => "/can-bo/xep-hang/so-lieu.csv",
            Route::OidcStart(_) => "/dang-nhap/oidc/{kind}",
            Route::OidcCallback(_) => "/dang-nhap/oidc/{kind}/callback",
        }
    }

    fn args(&self) -> Vec<String> {
        match *self {
            Route::Procedure(a)
            | Route::CatalogTemplate(a)
            | Route::FileOnline(a)
            | Route::Review(a)
            | Route::Postal(a)
            | Route::Submit(a)
            | Route::Receipt(a)
            | Route::Dossier(a)
            | Route::LockerFile(a)
            | Route::Supply(a)
            | Route::SupplementFile(a)
            | Route::Rate(a)
            | Route::Pay(a)
            | Route::AdminAgencyRename(a)
            | Route::AdminUserLock(a)
            | Route::AdminWorkflow(a)
            | Route::AdminProcedure(a)
            | Route::AdminAmend(a)
            | Route::AdminPublish(a)
            | Route::AdminAbolish(a)
            | Route::AdminReplace(a)
            | Route::AdminDiff(a)
            | Route::AdminResultTemplate(a)
            | Route::AdminResultPreview(a)
            | Route::AdminDvcqgRetry(a)
            | Route::AdminInboundRetry(a)
            | Route::AdminArchivePackage(a)
            | Route::AdminArchivePurge(a)
            | Route::OfficerDossier(a)
            | Route::PetitionAnswer(a)
            | Route::OfficerPetition(a)
            | Route::ControlSlip(a)
            | Route::OfficerUpload(a)
            | Route::OfficerResultUpload(a)
            | Route::OfficerDigitize(a)
            | Route::CounterReceipt(a)
            | Route::CounterScreen(a)
            | Route::CounterEvents(a)
            | Route::CounterDraft(a)
            | Route::CounterScreenRate(a)
            | Route::Asset(a)
            | Route::Index766Indicator(a)
            | Route::VerifyDocument(a)
            | Route::OpenDataFile(a)
            | Route::OpenStats(a)
            | Route::OidcStart(a)
            | Route::OidcCallback(a)
            | Route::Ticket(a) => vec![a.to_string()],
            Route::Component(a, b)
            | Route::ComponentLocker(a, b)
            | Route::DossierFile(a, b)
            | Route::OfficerFile(a, b)
            | Route::OfficerAction(a, b)
            | Route::OfficerSignature(a, b)
            | Route::DossierDocument(a, b) => {
                vec![a.to_string(), b.to_string()]
            }
            Route::Calendar(y) => vec![y.to_string()],
            _ => Vec::new(),
        }
    }

    /// The path, each parameter percent-encoded as a path segment.
    pub fn path(&self) -> String {
        let mut out = String::new();
        let mut args = self.args().into_iter();
        let mut rest = self.pattern();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
            out.push_str(&segment(&args.next().unwrap_or_default()));
            rest = &rest[close..];
        }
        out.push_str(rest);
        out
    }

    /// The path with a query string built from `pairs` (empty values left out).
    pub fn with_query(&self, pairs: &[(&str, &str)]) -> String {
        let q: Vec<String> = pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
        if q.is_empty() { self.path() } else { format!("{}?{}", self.path(), q.join("&")) }
    }
}

impl std::fmt::Display for Route<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path())
    }
}

fn segment(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => o.push(b as char),
            _ => {
                let _ = write!(o, "%{b:02X}");
            }
        }
    }
    o
}

pub use motcua_domain::text::urlencode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fill_the_patterns() {
        assert_eq!(Route::Home.path(), "/");
        assert_eq!(Route::Procedure("1.910201.H40").path(), "/thu-tuc/1.910201.H40");
        assert_eq!(Route::Component("d1", "anh_the").path(), "/ho-so-cua-toi/d1/thanh-phan/anh_the");
        assert_eq!(Route::Dossier("a/b?c").path(), "/ho-so-cua-toi/a%2Fb%3Fc");
        assert_eq!(Route::Calendar(2026).path(), "/lich/2026");
        assert_eq!(Route::Tracking.with_query(&[("code", "A B"), ("check", "")]), "/tra-cuu?code=A+B");
    }
}
