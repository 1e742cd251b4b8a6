//! `pbft-node`: one PBFT replica as a process, speaking to its peers over HTTP.
//!
//! ```text
//! cargo run --release --features node --bin pbft-node -- Apple
//! cargo run --release --features node --bin pbft-node -- MS      # in a second terminal, etc.
//! curl 'http://localhost:1112/req?warTime=1234'
//! ```

use clap::Parser;
use std::io::IsTerminal;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use pbft_playground::node::{self, ClusterConfig, NodeError};

/// One PBFT replica (Castro & Liskov) as a process: peers talk over HTTP with
/// MACs, any node answers GET /req?<op> as a client, GET /status shows its state.
///
/// Without --config the cluster is the four generals: Apple, MS, Google and
/// IBM on 127.0.0.1 ports 1111 to 1114. Start one process per name.
#[derive(Parser, Debug)]
#[command(name = "pbft-node", version, max_term_width = 100)]
struct Cli {
    /// This node's name in the cluster (e.g. Apple, MS, Google, IBM), or its index.
    name: Option<String>,

    /// Cluster file (TOML, or JSON if it ends in .json): names, addresses,
    /// keys, protocol timeouts. See --print-config for the format.
    #[arg(short, long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Listen on this port instead of the one in the cluster config (peers
    /// still use the configured address: for proxies and port mappings).
    #[arg(short, long)]
    port: Option<u16>,

    /// Listen on this IP address instead of the configured host (e.g. 0.0.0.0).
    #[arg(long, value_name = "IP")]
    bind: Option<IpAddr>,

    /// Log level: error, warn, info (every message sent and received) or debug (also phases).
    #[arg(long, default_value = "info", value_name = "LEVEL", value_parser = ["error", "warn", "info", "debug", "trace"])]
    log: String,

    /// Do not log every message; keep executions, view changes, checkpoints and errors.
    #[arg(short, long)]
    quiet: bool,

    /// Print the cluster config (the built-in one unless --config) as TOML and exit.
    #[arg(long)]
    print_config: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let file = match &cli.config {
        Some(path) => ClusterConfig::load(path),
        None => Ok(ClusterConfig::four_generals()),
    };
    let file = match file {
        Ok(f) => f,
        Err(e) => return fail(&e, 2),
    };
    if cli.print_config {
        println!("# pbft-node cluster file: use it with --config FILE (times in milliseconds).");
        print!("{}", file.with_effective_protocol().to_toml());
        return ExitCode::SUCCESS;
    }
    let cluster = match file.resolve() {
        Ok(c) => c,
        Err(e) => return fail(&e, 2),
    };
    let Some(name) = cli.name.as_deref() else {
        eprintln!("pbft-node: which node? give its name: one of {}", cluster.names.join(", "));
        eprintln!("  e.g.  pbft-node {}", cluster.names[0]);
        return ExitCode::from(2);
    };
    let Some(me) = cluster.find(name).or_else(|| name.parse::<usize>().ok().filter(|&i| i < cluster.n())) else {
        let e = NodeError::UnknownNode { name: name.to_string(), known: cluster.names.clone() };
        return fail(&e, 2);
    };
    let listen = (cli.port.is_some() || cli.bind.is_some()).then(|| {
        let own = cluster.addrs[me];
        SocketAddr::new(cli.bind.unwrap_or(own.ip()), cli.port.unwrap_or(own.port()))
    });
    init_logging(&cli.log, cli.quiet);

    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("pbft-node: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(node::run(cluster, name, listen)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e, 1),
    }
}

fn fail(e: &NodeError, code: u8) -> ExitCode {
    eprintln!("pbft-node: {e}");
    ExitCode::from(code)
}

fn init_logging(level: &str, quiet: bool) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let level: LevelFilter = level.parse().unwrap_or(LevelFilter::INFO);
    let mut targets = Targets::new().with_default(level);
    if quiet {
        targets = targets.with_target("pbft::msg", LevelFilter::OFF).with_target("pbft::reject", LevelFilter::WARN);
    }
    let fmt = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal());
    tracing_subscriber::registry().with(fmt).with(targets).init();
}
