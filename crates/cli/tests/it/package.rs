//! The Debian package (issue #19), built by `packaging/build-deb.sh` from this build's binary,
//! installed with `dpkg -i` on this machine (tests run as root), started as its systemd unit
//! says: with systemd when it is PID 1, otherwise the unit's `ExecStart` run as the unit's
//! `User`. `/healthz` answers; installing again (an upgrade) keeps the configuration and the
//! user; a database newer than the binary stops the start with exit status 3 and a clear
//! message, the data untouched; `dpkg --purge` removes the package and leaves the data.
//! SQLite only: the package and the unit do not depend on the backend (the refusal itself is
//! tested on both in `upgrade.rs`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &*String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{cmd:?} failed ({}): {text}", out.status);
    text
}

/// Removes the package (and what the test made) even when an assertion failed.
struct Installed {
    user_existed: bool,
    data: PathBuf,
}

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = Command::new("dpkg").args(["--purge", "motcua"]).output();
        let _ = std::fs::remove_dir_all(&self.data);
        let _ = std::fs::remove_dir("/var/lib/motcua");
        if !self.user_existed {
            let _ = Command::new("userdel").arg("motcua").output();
        }
    }
}

struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn unit_value<'a>(unit: &'a str, key: &str) -> Option<&'a str> {
    unit.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
}

/// The unit's ExecStart, run as its User with the test's data directory and port.
fn start_as_unit(unit: &str, data_dir: &Path, port: u16) -> Child {
    let exec = unit_value(unit, "ExecStart").expect("ExecStart");
    let user = unit_value(unit, "User").expect("User");
    let argv: Vec<&str> = exec.split_whitespace().collect();
    Command::new("setpriv")
        .args(["--reuid", user, "--regid", user, "--init-groups", "--no-new-privs", "--"])
        .args(&argv)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("MOTCUA_DATA_DIR", data_dir)
        .env("MOTCUA_LISTEN", format!("127.0.0.1:{port}"))
        .env("MOTCUA_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("setpriv")
}

async fn wait_healthy(port: u16, service: &mut Service) {
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("http://127.0.0.1:{port}/healthz")).send().await
            && r.status().is_success()
        {
            return;
        }
        if let Some(status) = service.0.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(service.0.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!("the service exited ({status}) before answering: {err}");
        }
        assert!(started.elapsed() < Duration::from_secs(120), "no /healthz after two minutes");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_debian_package_installs_serves_and_refuses_a_newer_database() {
    let uid = run(Command::new("id").arg("-u"));
    assert_eq!(uid.trim(), "0", "the package test installs with dpkg and must run as root (CI does)");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = tempfile::tempdir().unwrap();
    let deb = run(Command::new(root.join("packaging/build-deb.sh"))
        .arg(env!("CARGO_BIN_EXE_motcua"))
        .arg(out.path())
        .env("DEB_COMPRESSION", "none"));
    let deb = PathBuf::from(deb.trim());
    let contents = run(Command::new("dpkg-deb").arg("--contents").arg(&deb));
    for path in ["./usr/bin/motcua", "./lib/systemd/system/motcua.service", "./etc/motcua/motcua.toml", "./usr/share/doc/motcua/"]
    {
        assert!(contents.contains(path), "{path} in the package: {contents}");
    }

    let user_existed = Command::new("getent").args(["passwd", "motcua"]).output().unwrap().status.success();
    // The service's data directory: a fresh one inside /var/lib/motcua (the one place the
    // unit may write, whose private /tmp would hide a temporary directory).
    let data = PathBuf::from(format!("/var/lib/motcua/it-{}", std::process::id()));
    let _installed = Installed { user_existed, data: data.clone() };
    run(Command::new("dpkg").arg("-i").arg(&deb));
    assert!(Command::new("getent").args(["passwd", "motcua"]).output().unwrap().status.success(), "user motcua");
    let conffiles = run(Command::new("dpkg-query").args(["--control-show", "motcua", "conffiles"]));
    assert!(conffiles.contains("/etc/motcua/motcua.toml"), "{conffiles}");
    let config = std::fs::read_to_string("/etc/motcua/motcua.toml").unwrap();
    assert!(config.contains("data_dir = \"/var/lib/motcua\""), "{config}");
    let version = run(Command::new("/usr/bin/motcua").arg("--version"));
    assert!(version.starts_with("motcua "), "{version}");

    let unit = std::fs::read_to_string("/lib/systemd/system/motcua.service").unwrap();
    assert_eq!(unit_value(&unit, "ExecStart"), Some("/usr/bin/motcua --config /etc/motcua/motcua.toml serve --no-demo"));
    for line in [
        "User=motcua",
        "ProtectSystem=strict",
        "ProtectHome=true",
        "PrivateTmp=true",
        "NoNewPrivileges=true",
        "StateDirectory=motcua",
        "ReadWritePaths=/var/lib/motcua",
        "Restart=on-failure",
        "RestartPreventExitStatus=3",
    ] {
        assert!(unit.lines().any(|l| l == line), "{line} in the unit");
    }

    std::fs::create_dir(&data).unwrap();
    run(Command::new("chown").args(["motcua:motcua"]).arg(&data));
    // Without the demo the province starts with its first agency and administrator
    // (`motcua init`, as the service's user); a second init is refused.
    let init = |password: &str| {
        Command::new("setpriv")
            .args(["--reuid", "motcua", "--regid", "motcua", "--init-groups", "--"])
            .args(["/usr/bin/motcua", "--config", "/etc/motcua/motcua.toml", "init"])
            .args(["--province-code", "000.00.00.H40", "--province-name", "Ủy ban nhân dân tỉnh Ninh Bình"])
            .args(["--admin", "quantri", "--admin-name", "Nguyễn Văn Quản"])
            .env("MOTCUA_DATA_DIR", &data)
            .env("MOTCUA_ADMIN_PASSWORD", password)
            .env("MOTCUA_LOG", "warn")
            .output()
            .unwrap()
    };
    let first = init("Quantri@2026x");
    assert!(first.status.success(), "init: {}", String::from_utf8_lossy(&first.stderr));
    let again = init("Quantri@2026x");
    let said = String::from_utf8_lossy(&again.stderr).into_owned();
    assert_eq!(again.status.code(), Some(2), "{said}");
    assert!(said.contains("lệnh init chỉ dùng cho cơ sở dữ liệu trống"), "{said}");
    let port = free_port();
    let systemd = std::fs::read_to_string("/proc/1/comm").is_ok_and(|c| c.trim() == "systemd");
    if systemd {
        // The real unit, pointed at the test's directory and port by a drop-in.
        let dropin = Path::new("/run/systemd/system/motcua.service.d");
        std::fs::create_dir_all(dropin).unwrap();
        std::fs::write(
            dropin.join("test.conf"),
            format!(
                "[Service]\nEnvironment=MOTCUA_DATA_DIR={d}\nEnvironment=MOTCUA_LISTEN=127.0.0.1:{port}\nReadWritePaths={d}\n",
                d = data.display()
            ),
        )
        .unwrap();
        run(Command::new("systemctl").arg("daemon-reload"));
        run(Command::new("systemctl").args(["restart", "motcua.service"]));
    }
    let db = data.join("motcua.db");
    {
        let mut service = Service(if systemd {
            // Something to kill on drop that does not exist: systemd runs the service.
            Command::new("sleep").arg("600").spawn().unwrap()
        } else {
            start_as_unit(&unit, &data, port)
        });
        wait_healthy(port, &mut service).await;
        // The administrator made by init signs in.
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let login = http
            .post(format!("http://127.0.0.1:{port}/dang-nhap"))
            .header("origin", format!("http://127.0.0.1:{port}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(crate::browser::form_encode(&[
                ("username", "quantri".into()),
                ("password", "Quantri@2026x".into()),
                ("next", "/".into()),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), reqwest::StatusCode::SEE_OTHER, "{}", login.text().await.unwrap_or_default());
        if systemd {
            run(Command::new("systemctl").args(["stop", "motcua.service"]));
        }
    }
    use std::os::unix::fs::MetadataExt;
    let owner = std::fs::metadata(&db).unwrap().uid();
    let motcua_uid = run(Command::new("id").args(["-u", "motcua"]));
    assert_eq!(owner.to_string(), motcua_uid.trim(), "the database belongs to the service's user");

    // Installing again (an upgrade of the package) keeps the user and the configuration.
    std::fs::write("/etc/motcua/motcua.toml", config.clone() + "# edited by the operator\n").unwrap();
    run(Command::new("dpkg").args(["--force-confold", "-i"]).arg(&deb));
    assert!(std::fs::read_to_string("/etc/motcua/motcua.toml").unwrap().ends_with("# edited by the operator\n"));

    // A database a newer release migrated: the start stops, the data is kept.
    let url = db.display().to_string();
    let store = {
        let u = url.clone();
        tokio::task::spawn_blocking(move || {
            motcua_store::Store::open(&motcua_store::Location::parse(&u), motcua_store::StoreOptions::default())
        })
        .await
        .unwrap()
        .unwrap()
    };
    let count = |sql: &'static str| {
        let s = store.clone();
        async move { s.read(move |db| db.query_one(sql, &[])?.i64(0)).await.unwrap() }
    };
    store
        .write(|db| {
            db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9001, '9001_next_release', 0)", &[])
        })
        .await
        .unwrap();
    let tables = count("SELECT COUNT(*) FROM sqlite_master").await;
    let rows = count("SELECT COUNT(*) FROM schema_migrations").await;
    drop(store);
    // What root's connection may have left (the WAL) belongs to the service again.
    run(Command::new("chown").args(["-R", "motcua:motcua"]).arg(&data));
    let size = std::fs::metadata(&db).unwrap().len();
    let child = start_as_unit(&unit, &data, free_port());
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr).into_owned() + &*String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}");
    for needle in ["9001 (9001_next_release)", "mới hơn", "newer than this binary"] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    assert!(std::fs::metadata(&db).unwrap().len() >= size);
    let store = tokio::task::spawn_blocking(move || {
        motcua_store::Store::open(&motcua_store::Location::parse(&url), motcua_store::StoreOptions::default())
    })
    .await
    .unwrap()
    .unwrap();
    let after = store.read(|db| {
        Ok::<_, motcua_store::StoreError>((
            db.query_one("SELECT COUNT(*) FROM sqlite_master", &[])?.i64(0)?,
            db.query_one("SELECT COUNT(*) FROM schema_migrations", &[])?.i64(0)?,
        ))
    });
    assert_eq!(after.await.unwrap(), (tables, rows), "nothing changed");

    // Purge: the package's files go, the data stays.
    run(Command::new("dpkg").args(["--purge", "motcua"]));
    assert!(!Path::new("/usr/bin/motcua").exists() && !Path::new("/lib/systemd/system/motcua.service").exists());
    assert!(!Path::new("/etc/motcua/motcua.toml").exists());
    assert!(db.exists(), "the data outlives the package");
    if systemd {
        let _ = std::fs::remove_dir_all("/run/systemd/system/motcua.service.d");
        let _ = Command::new("systemctl").arg("daemon-reload").output();
    }
}
