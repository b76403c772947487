//! `motcua calendar …`: conversions and due dates from the command line. `lunar` and
//! `solar` read one date per line from standard input when no date is given, answering one
//! line each, so a whole century converts in one call.

use anyhow::Result;
use clap::{Args, Subcommand};
use motcua_app::calendar::{self as cal, ScheduleFormat};
use motcua_app::{AppContext, AppError, Config};
use motcua_domain::calendar::{TimeLimit, TimeUnit, WorkCalendar};
use serde::Serialize;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Solar date(s) YYYY-MM-DD → lunar (reads standard input when no date is given).
    Lunar {
        date: Option<String>,
        #[command(flatten)]
        out: Output,
    },
    /// Lunar date(s) YYYY-MM-DD → solar. On standard input a line may end with " leap".
    Solar {
        #[arg(long)]
        lunar: Option<String>,
        /// The month is the year's leap month.
        #[arg(long)]
        leap: bool,
        #[command(flatten)]
        out: Output,
    },
    /// A year's holidays, compensatory days off and make-up working days.
    Year {
        year: i32,
        #[command(flatten)]
        out: Output,
    },
    /// Due date from a reception instant.
    Due {
        /// RFC 3339 reception instant, e.g. 2026-03-10T14:59:00+07:00.
        #[arg(long)]
        from: String,
        #[arg(long, group = "limit", allow_negative_numbers = true)]
        working_days: Option<i64>,
        #[arg(long, group = "limit", allow_negative_numbers = true)]
        hours: Option<i64>,
        #[arg(long, group = "limit", allow_negative_numbers = true)]
        days: Option<i64>,
        #[arg(long, group = "limit", allow_negative_numbers = true)]
        months: Option<i64>,
        /// Same-day cut-off, e.g. 15:00.
        #[arg(long)]
        cutoff: Option<String>,
        /// `next`: out-of-hours filings count from the next working instant.
        #[arg(long)]
        out_of_hours: Option<String>,
        #[command(flatten)]
        out: Output,
    },
    /// Load a year's official schedule into the database (line format, or .json).
    Load { file: PathBuf },
}

#[derive(Args, Clone, Copy)]
pub struct Output {
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct LineError<'a> {
    input: &'a str,
    code: &'static str,
    message_vi: String,
    message_en: String,
}

fn print_error(w: &mut impl Write, out: Output, input: &str, e: &AppError) -> std::io::Result<()> {
    if out.json {
        let le = LineError { input, code: e.code(), message_vi: e.message_vi(), message_en: e.message_en() };
        writeln!(w, "{}", serde_json::to_string(&le).unwrap_or_default())
    } else {
        writeln!(w, "{input}\tLỖI / ERROR {}: {} / {}", e.code(), e.message_vi(), e.message_en())
    }
}

fn print_lunar(w: &mut impl Write, out: Output, input: &str, r: Result<cal::LunarInfo, AppError>) -> std::io::Result<bool> {
    match r {
        Ok(i) if out.json => writeln!(w, "{}", serde_json::to_string(&i).unwrap_or_default()).map(|_| true),
        Ok(i) => writeln!(
            w,
            "{}\tâm lịch {:02}/{:02}{}/{} ({})",
            i.solar,
            i.lunar_day,
            i.lunar_month,
            if i.leap { " nhuận" } else { "" },
            i.lunar_year,
            i.year_name
        )
        .map(|_| true),
        Err(e) => print_error(w, out, input, &e).map(|_| false),
    }
}

/// Answers `f` for the argument, or for every line of standard input.
fn each_line(arg: Option<String>, out: Output, f: impl Fn(&str) -> Result<cal::LunarInfo, AppError>) -> Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    let mut all_ok = true;
    match arg {
        Some(a) => all_ok &= print_lunar(&mut w, out, &a, f(&a))?,
        None => {
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                let input = line.trim();
                if input.is_empty() {
                    continue;
                }
                all_ok &= print_lunar(&mut w, out, input, f(input))?;
            }
        }
    }
    w.flush()?;
    Ok(if all_ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The calendar in force: with a database present, the schedules loaded into it; otherwise
/// the shipped data.
async fn calendar_in_force(config: &Config) -> Result<std::sync::Arc<WorkCalendar>> {
    let location = config.location();
    let exists = match &location {
        motcua_store::Location::Sqlite(p) => p.exists(),
        motcua_store::Location::Postgres(_) => true,
    };
    if !exists {
        return Ok(std::sync::Arc::new(WorkCalendar::vietnam()));
    }
    let opts = config.store_options();
    let store = tokio::task::spawn_blocking(move || motcua_store::Store::open(&location, opts)).await??;
    let calendars = store.read(motcua_app::calendar::Calendars::load).await?;
    Ok(calendars.national())
}

pub async fn run(cmd: CalendarCommand, config: Config) -> Result<ExitCode> {
    match cmd {
        CalendarCommand::Lunar { date, out } => each_line(date, out, |d| cal::lunar_of(d).map_err(AppError::from)),
        CalendarCommand::Solar { lunar, leap, out } => each_line(lunar, out, move |d| {
            let (text, leap) = match d.strip_suffix("leap").or_else(|| d.strip_suffix("nhuan")) {
                Some(rest) => (rest.trim(), true),
                None => (d, leap),
            };
            cal::solar_of(text, leap).map_err(AppError::from)
        }),
        CalendarCommand::Year { year, out } => {
            let c = calendar_in_force(&config).await?;
            let days = match c.special_days(year) {
                Ok(d) => d,
                Err(e) => {
                    print_error(&mut std::io::stdout(), out, &year.to_string(), &AppError::from(e))?;
                    return Ok(ExitCode::from(1));
                }
            };
            let mut w = BufWriter::new(std::io::stdout().lock());
            if !out.json {
                writeln!(w, "Năm {year} (âm lịch {}) – lịch {}", motcua_domain::lunar::year_name(year), c.version())?;
            }
            for d in days.into_iter().filter(|d| i32::from(d.date.year()) == year) {
                let lunar = motcua_domain::lunar::solar_to_lunar(d.date).map(|l| l.to_string()).unwrap_or_default();
                let kind = match d.kind {
                    motcua_domain::calendar::DayKind::Working => "working",
                    motcua_domain::calendar::DayKind::MakeUp => "make_up",
                    motcua_domain::calendar::DayKind::WeeklyRest => "weekly_rest",
                    motcua_domain::calendar::DayKind::Off(r) => r.code(),
                };
                if out.json {
                    let v = serde_json::json!({"date": d.date.to_string(), "kind": kind, "working": d.working, "label": d.label,
                                               "document": d.document, "lunar": lunar, "calendar_version": c.version()});
                    writeln!(w, "{v}")?;
                } else {
                    writeln!(
                        w,
                        "{} {:<3} {:<12} {:<9} âm {:<7} {}{}",
                        d.date,
                        weekday_vi(d.date),
                        kind,
                        if d.working { "làm việc" } else { "nghỉ" },
                        lunar,
                        d.label.unwrap_or_default(),
                        d.document.map(|x| format!(" ({x})")).unwrap_or_default()
                    )?;
                }
            }
            w.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        CalendarCommand::Due { from, working_days, hours, days, months, cutoff, out_of_hours, out } => {
            let limit = [
                (working_days, TimeUnit::WorkingDays),
                (hours, TimeUnit::Hours),
                (days, TimeUnit::Days),
                (months, TimeUnit::Months),
            ]
            .into_iter()
            .find_map(|(v, u)| v.map(|v| (v, u)));
            let Some((value, unit)) = limit else {
                anyhow::bail!("give one of --working-days, --hours, --days, --months");
            };
            let c = calendar_in_force(&config).await?;
            let answer = (|| {
                let limit = TimeLimit::new(value, unit)?;
                let from = cal::parse_instant("from", &from)?;
                let rules = cal::counting_rules(cutoff.as_deref(), out_of_hours.as_deref())?;
                Ok::<_, AppError>(cal::due_info(&c, from, limit, &rules)?)
            })();
            let mut w = std::io::stdout();
            match answer {
                Ok(d) if out.json => writeln!(w, "{}", serde_json::to_string(&d)?)?,
                Ok(d) => {
                    writeln!(w, "hạn / due {}\t(tính từ / counted from {}; lịch {})", d.due, d.counted_from, d.calendar_version)?
                }
                Err(e) => {
                    print_error(&mut w, out, &from, &e)?;
                    return Ok(ExitCode::from(1));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CalendarCommand::Load { file } => {
            let content = std::fs::read_to_string(&file)?;
            let format = if file.extension().is_some_and(|e| e == "json") { ScheduleFormat::Json } else { ScheduleFormat::Text };
            let mut config = config;
            config.seed_demo = false;
            let (ctx, _) = AppContext::open(config).await?;
            match cal::load_schedule(&ctx, None, &content, format).await {
                Ok(s) => {
                    println!(
                        "Đã nạp lịch năm {} (phiên bản {}) / loaded; lịch / calendar {}",
                        s.year,
                        s.revision,
                        ctx.calendars.national().version()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("LỖI / ERROR {}: {}", e.code(), e.message_vi());
                    for f in e.fields() {
                        eprintln!("  {}: {} / {}", f.field, f.message_vi, f.message_en);
                    }
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

fn weekday_vi(d: jiff::civil::Date) -> &'static str {
    use jiff::civil::Weekday::*;
    match d.weekday() {
        Monday => "T2",
        Tuesday => "T3",
        Wednesday => "T4",
        Thursday => "T5",
        Friday => "T6",
        Saturday => "T7",
        Sunday => "CN",
    }
}
