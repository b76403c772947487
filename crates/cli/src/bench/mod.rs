//! `motcua bench`: benchmark tools run by hand (large N are commands, not CI steps).

pub mod generate;

use anyhow::Result;
use motcua_app::Config;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Fill a fresh database with a province's history (dossiers with their event logs).
    Generate(generate::GenerateArgs),
    /// Time page 1 of officers' inboxes (p50/p99) on the configured database.
    Inbox(generate::InboxArgs),
}

pub async fn run(command: BenchCommand, config: Config) -> Result<ExitCode> {
    match command {
        BenchCommand::Generate(a) => generate::run(a, config).await,
        BenchCommand::Inbox(a) => generate::inbox(a, config).await,
    }
}
