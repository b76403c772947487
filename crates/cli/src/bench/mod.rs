//! `motcua bench …`: tools that measure the service (docs/benchmarks.md). Each tool lives in
//! its own module; this one only dispatches.

pub mod load;

use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Drive a running server over HTTP (filing, commands, inbox, tracking, dossier page) and
    /// measure the raw write ceiling of the same rows in the same run.
    Load(load::LoadArgs),
}

pub async fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Load(args) => load::run(args).await,
    }
}
