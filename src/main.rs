//! The `mediation` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    mediation::cli::run().await
}
