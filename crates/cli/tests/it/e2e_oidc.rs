//! VNeID sign-in in a real headless Chromium against the real provider of `oidc.rs`, on
//! both backends: the login page's button, the provider's own login and consent pages, back
//! signed in; a dossier filed through the wizard carries the VNeID flag; logging out goes on
//! to the provider's logout page and, confirmed there, back to motcua signed out.

use crate::oidc::spawn;
use motcua_testkit::Backend;
use motcua_testkit::browser::{Browser, By};

const PROCEDURE: &str = "1.910201.H40";

async fn run(backend: Backend) {
    let (app, p) = spawn(backend, 0).await;
    let files = tempfile::tempdir().unwrap();
    let pdf = files.path().join("ban-scan.pdf");
    std::fs::write(&pdf, motcua_testkit::files::PDF).unwrap();

    let b = Browser::start(&app).await;
    b.open("/dang-nhap?next=/ho-so-cua-toi").await;
    b.axe().await;
    let at = b.click_text("Đăng nhập bằng VNeID").await;
    let here = b.driver.current_url().await.unwrap().to_string();
    assert!(here.starts_with(&p.issuer) && at.starts_with("/interaction/"), "at the provider's login: {here}");
    // The provider's development login page: any password, the login names the account.
    b.find(By::Name("login")).await.send_keys("an.vneid").await.unwrap();
    b.find(By::Name("password")).await.send_keys("x").await.unwrap();
    b.follow(By::Css("button.login-submit")).await;
    // Its consent page, then back to motcua, signed in, on the page the sign-in started from.
    let at = b.follow(By::Css("button.login-submit")).await;
    let here = b.driver.current_url().await.unwrap().to_string();
    assert!(here.starts_with(&app.url) && at == "/ho-so-cua-toi", "back at motcua: {here}");
    assert!(b.find(By::Css("form.userbar")).await.text().await.unwrap().contains("congdan"), "signed in as the linked account");

    // File online through the wizard.
    b.open(&format!("/nop-ho-so/{PROCEDURE}")).await;
    assert_eq!(b.by_id("id_number").await.value().await.unwrap().as_deref(), Some("037092001234"));
    b.fill("phone", "0912345678").await;
    b.fill("address", "Số 1 Đinh Tiên Hoàng, Phường Hoa Lư").await;
    let mut at = b.click_to("Lưu và tiếp tục", "/ho-so-cua-toi/").await;
    let id = at.split('/').nth(2).unwrap().to_string();
    while at.contains("/thanh-phan/") {
        b.by_id("file").await.send_keys(pdf.display().to_string()).await.unwrap();
        at = b.click_text("Tiếp tục").await;
    }
    assert_eq!(at, format!("/ho-so-cua-toi/{id}/xem-lai"));
    b.by_id("declare").await.click().await.unwrap();
    b.click_to("Nộp hồ sơ", &format!("/ho-so-cua-toi/{id}/bien-nhan")).await;
    let d = app.ctx.store.read(move |db| motcua_store::repo::dossiers::get(db, &id)).await.unwrap().unwrap();
    assert!(d.vneid_authenticated, "a dossier filed in a VNeID session carries the flag");
    assert_eq!(motcua_dvcqg::mapping::dossier_item(&d, &|a| a.to_string()).vneid_authenticated, 1);

    // Log out: motcua's session ends, then the provider asks to confirm its own logout.
    b.click_text("Đăng xuất").await;
    let here = b.driver.current_url().await.unwrap().to_string();
    assert!(here.starts_with(&format!("{}/session/end", p.issuer)), "at the provider's logout: {here}");
    let at = b.click_text("Yes, sign me out").await;
    let here = b.driver.current_url().await.unwrap().to_string();
    assert!(here.starts_with(&app.url) && at == "/", "back at motcua: {here}");
    b.open("/ho-so-cua-toi").await;
    assert!(b.path().await.starts_with("/dang-nhap"), "signed out");
    b.quit().await;
}

mod citizen_signs_in_with_vneid_files_and_logs_out {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        run(Backend::Postgres).await;
    }
}
