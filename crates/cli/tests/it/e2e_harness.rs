//! The browser harness itself, in a real headless Chromium: login through the page, the two
//! widths, screenshots, and an axe check that does fail on a broken page.

use motcua_testkit::both_backends;
use motcua_testkit::browser::{Browser, By, Viewport};

both_backends! {
    async fn harness_logs_in_measures_and_checks_pages(app) {
        let b = Browser::start(&app).await;
        // A page with a known serious violation (an image without a text alternative) is caught.
        b.open("data:text/html;charset=utf-8,<!doctype html><html lang=en><title>t</title><main><img src=x.png></main></html>").await;
        let bad = b.axe_violations().await;
        assert!(bad.iter().any(|v| v.contains("image-alt")), "axe must report the missing alt text: {bad:?}");

        b.login("congdan").await;
        assert_eq!(b.path().await, "/");
        // The home page, in both languages, passes axe and offers the citizen's own dossiers.
        assert!(b.find(By::Css("a[href='/ho-so-cua-toi']")).await.text().await.unwrap().contains("Hồ sơ của tôi"));
        b.axe().await;
        b.open("/?lang=en").await;
        assert!(b.find(By::Css("a[href='/ho-so-cua-toi?lang=en']")).await.text().await.unwrap().contains("My dossiers"));
        b.axe().await;
        b.screenshot("home-en-desktop").await;
        b.open("/thu-tuc").await;
        b.viewport(Viewport::Phone).await;
        let w: i64 = b.driver.execute("return window.innerWidth", vec![]).await.unwrap().convert().unwrap();
        assert_eq!(w, 360);
        let shot = b.screenshot("harness-catalog-phone").await;
        assert!(std::fs::metadata(&shot).unwrap().len() > 1000, "{shot:?}");
        b.axe().await;
        b.viewport(Viewport::Desktop).await;
        let w: i64 = b.driver.execute("return window.innerWidth", vec![]).await.unwrap().convert().unwrap();
        assert_eq!(w, 1366);
        assert!(b.find(By::Tag("h1")).await.text().await.unwrap().contains("Tra cứu thủ tục"));

        // A step that navigates waits for the new document, not for the first element it finds:
        // here the old page stays up for a while and the next one has the same path.
        let at = b
            .next_page(async {
                b.driver
                    .execute("setTimeout(() => location.assign('/thu-tuc?lang=en'), 400)", vec![])
                    .await
                    .unwrap();
            })
            .await;
        assert_eq!(at, "/thu-tuc?lang=en");
        assert!(b.find(By::Tag("h1")).await.text().await.unwrap().contains("Find an administrative procedure"), "read from the new page");
        // A form posted to its own path is a new page too (the same URL, a new document).
        let before = b.driver.execute("return performance.timeOrigin", vec![]).await.unwrap().convert::<f64>().unwrap();
        let again = b.next_page(async { b.driver.execute("setTimeout(() => location.reload(), 400)", vec![]).await.unwrap(); }).await;
        let after = b.driver.execute("return performance.timeOrigin", vec![]).await.unwrap().convert::<f64>().unwrap();
        assert_eq!(again, "/thu-tuc?lang=en");
        assert!(after > before, "a new document after the reload");
        b.quit().await;
    }
}
