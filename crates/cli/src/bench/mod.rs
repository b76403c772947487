//! `motcua bench …`: tools that measure the service, run by hand (large N are commands, not
//! CI steps; docs/benchmarks.md). Each tool lives in its own module; this one only dispatches.

pub mod generate;
pub mod http1;
pub mod load;
pub mod queue;

use anyhow::Result;
use motcua_app::Config;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Drive a running server over HTTP (filing, commands, inbox, tracking, dossier page) and
    /// measure the raw write ceiling of the same rows in the same run.
    Load(load::LoadArgs),
    /// Fill a fresh database with a province's history (dossiers with their event logs).
    Generate(generate::GenerateArgs),
    /// Time page 1 of officers' inboxes (p50/p99) on the configured database.
    Inbox(generate::InboxArgs),
    /// Time the 766 index and the ranking of units (p50/p99) on the configured database.
    Indicators(generate::IndicatorArgs),
    /// Simulate a day of the province centre's queue (2,000 tickets) and print its figures.
    Queue(queue::QueueArgs),
}

pub async fn run(command: BenchCommand, config: Config) -> Result<ExitCode> {
    match command {
        BenchCommand::Load(args) => load::run(args).await,
        BenchCommand::Generate(a) => generate::run(a, config).await,
        BenchCommand::Inbox(a) => generate::inbox(a, config).await,
        BenchCommand::Indicators(a) => generate::indicators(a, config).await,
        BenchCommand::Queue(a) => queue::run(a, config).await,
    }
}
