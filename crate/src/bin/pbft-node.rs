//! `pbft-node`: one PBFT replica as a process, speaking to its peers over HTTP.
//!
//! ```text
//! cargo run --release --features node --bin pbft-node -- Apple
//! cargo run --release --features node --bin pbft-node -- MS      # in a second terminal, etc.
//! curl 'http://localhost:1112/req?warTime=1234'
//! ```
//!
//! A cluster with real signature keys:
//!
//! ```text
//! pbft-node --gen-keys --key-dir keys > cluster.toml     # public keys in the file, keys/NAME.key each
//! pbft-node Apple --config cluster.toml --key-file keys/Apple.key
//! ```

use clap::Parser;
use std::io::{IsTerminal, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pbft_playground::node::{self, ClusterConfig, NodeError};

/// One PBFT replica (Castro & Liskov) as a process: peers talk over HTTP with
/// MACs, replicas sign what enters certificates (ed25519), any node answers
/// GET /req?<op> as a client, GET /status shows its state.
///
/// Without --config the cluster is the four generals: Apple, MS, Google and
/// IBM on 127.0.0.1 ports 1111 to 1114, with demo keys derived from a public
/// secret. Start one process per name.
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

    /// This node's ed25519 secret key: a file with 64 hex digits (the 32-byte
    /// seed) on one line; `#` lines are comments. It must match the node's
    /// public_key in the cluster file. Default: the node entry's secret_key,
    /// else the demo key derived from the cluster secret.
    #[arg(short, long, value_name = "FILE")]
    key_file: Option<PathBuf>,

    /// Keep the replica's state in DIR (one directory per node): its inputs
    /// are logged and fsynced before it acts on them, and a restart replays
    /// them and resumes where it stopped. Without it the state lives in memory.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Let pages from ORIGIN read /events, /status and /req (repeat for
    /// several): scheme://host[:port], scheme://host:* for any port, * for
    /// any origin, or none. Default: http://localhost:*, http://127.0.0.1:*
    /// and http://[::1]:*.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origin: Vec<String>,

    /// Print the cluster config (the built-in one unless --config) as TOML,
    /// with every node's public key, and exit.
    #[arg(long)]
    print_config: bool,

    /// Print the cluster config (the built-in one unless --config) with fresh
    /// random ed25519 keys for every node, and a fresh MAC secret if it was the
    /// demo one, and exit. The secret keys are in the printed file unless
    /// --key-dir is given.
    #[arg(long, conflicts_with = "print_config")]
    gen_keys: bool,

    /// With --gen-keys: write each node's secret key to DIR/NAME.key (readable
    /// by the owner only; existing files are not overwritten) and leave them
    /// out of the printed file.
    #[arg(long, value_name = "DIR", requires = "gen_keys")]
    key_dir: Option<PathBuf>,
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
    if cli.gen_keys {
        return match gen_keys(file, cli.key_dir.as_deref()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e, 2),
        };
    }
    let mut cluster = match file.resolve() {
        Ok(c) => c,
        Err(e) => return fail(&e, 2),
    };
    if cli.print_config {
        println!("# pbft-node cluster file: use it with --config FILE (times in milliseconds).");
        if (0..cluster.n()).any(|i| cluster.derived_key(i)) {
            println!("# Signature keys derived from the cluster secret: demo only (pbft-node --gen-keys makes real ones).");
        }
        print!("{}", file.with_effective_protocol().with_public_keys(&cluster).to_toml());
        return ExitCode::SUCCESS;
    }
    let Some(name) = cli.name.as_deref() else {
        eprintln!("pbft-node: which node? give its name: one of {}", cluster.names.join(", "));
        eprintln!("  e.g.  pbft-node {}", cluster.names[0]);
        return ExitCode::from(2);
    };
    let Some(me) = cluster.find(name).or_else(|| name.parse::<usize>().ok().filter(|&i| i < cluster.n())) else {
        let e = NodeError::UnknownNode { name: name.to_string(), known: cluster.names.clone() };
        return fail(&e, 2);
    };
    if let Some(path) = &cli.key_file {
        let key = node::keys::read_key_file(path).map_err(NodeError::Config);
        let origin = format!("key file {}", path.display());
        if let Err(e) = key.and_then(|k| cluster.set_secret_key(me, k, &origin)) {
            return fail(&e, 2);
        }
    }
    if let Err(e) = cluster.signer(me) {
        return fail(&e, 2);
    }
    let listen = (cli.port.is_some() || cli.bind.is_some()).then(|| {
        let own = cluster.addrs[me];
        SocketAddr::new(cli.bind.unwrap_or(own.ip()), cli.port.unwrap_or(own.port()))
    });
    let cors = match cli.cors_origin.as_slice() {
        [] => Ok(node::Cors::default()),
        [none] if none == "none" => node::Cors::new(Vec::new()),
        list => node::Cors::new(list.to_vec()),
    };
    let cors = match cors {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pbft-node: --cors-origin: {e}");
            return ExitCode::from(2);
        }
    };
    let options = node::NodeOptions { listen, data_dir: cli.data_dir.clone(), cors };
    init_logging(&cli.log, cli.quiet);

    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("pbft-node: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(node::run(cluster, name, options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e, 1),
    }
}

/// `--gen-keys`: prints the cluster with fresh keys; with `key_dir`, writes
/// the secret keys there, one file per node, instead of into the file.
fn gen_keys(file: ClusterConfig, key_dir: Option<&Path>) -> Result<(), NodeError> {
    let (mut file, secrets) = file.with_fresh_keys()?;
    file.resolve()?;
    println!("# pbft-node cluster file with fresh ed25519 keys: use it with --config FILE.");
    let Some(dir) = key_dir else {
        println!("# It holds every node's secret_key: fine for a cluster on one machine. For several");
        println!("# machines, use --key-dir DIR and give each node only its own key file (--key-file).");
        print!("{}", file.with_effective_protocol().to_toml());
        return Ok(());
    };
    let io = |what: &Path, e: std::io::Error| NodeError::Config(format!("cannot write {}: {e}", what.display()));
    let paths: Vec<PathBuf> = file.nodes.iter().map(|n| dir.join(format!("{}.key", n.name))).collect();
    if let Some(p) = paths.iter().find(|p| p.exists()) {
        return Err(NodeError::Config(format!("{} exists already: not overwriting keys", p.display())));
    }
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    println!("# Start each node with its own key file:");
    for ((entry, key), path) in file.nodes.iter_mut().zip(&secrets).zip(&paths) {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(path).map_err(|e| io(path, e))?;
        f.write_all(node::keys::key_file_text(&entry.name, key).as_bytes()).map_err(|e| io(path, e))?;
        entry.secret_key = None;
        println!("#   pbft-node {} --config FILE --key-file {}", entry.name, path.display());
    }
    print!("{}", file.with_effective_protocol().to_toml());
    Ok(())
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
