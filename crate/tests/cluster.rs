//! Four `pbft-node` processes on loopback HTTP: requests through `/req`, a
//! backup killed and restarted, the primary killed (view change) and
//! restarted, forged and malformed messages refused, and a clear 503 when no
//! quorum is left; the event stream (`/events`) and its CORS; a durable
//! replica (`--data-dir`) killed under load and restarted; a recorded live trace
//! replayed through the simulator in manual delivery to the same executed log.
//! Runs with `cargo test --features node` (part of `npm test`).
//! The test cluster has real signature keys: `pbft-node --gen-keys --key-dir`
//! makes them, and each node starts with its own `--key-file`.
//!
//! Every process started here is killed when the test ends, also on failure
//! (the guard's `Drop`), and its log is printed when the test failed.
#![cfg(feature = "node")]

use serde_json::Value;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use pbft_playground::node::derive_pair_key;
use pbft_playground::sim::Simulation;

const NAMES: [&str; 4] = ["Apple", "MS", "Google", "IBM"];
const SECRET: &str = "cluster-test secret";
/// The `/req` bound of the test cluster.
const REQ_TIMEOUT_MS: u64 = 4000;

/// The processes of one test cluster; kills them all when dropped.
struct TestCluster {
    dir: PathBuf,
    config: PathBuf,
    ports: Vec<u16>,
    children: Vec<Option<Child>>,
    /// Whether the nodes keep their state on disk (`--data-dir`).
    durable: bool,
}

impl TestCluster {
    fn new(tag: &str) -> TestCluster {
        let dir = std::env::temp_dir().join(format!("pbft-cluster-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        let ports = free_ports(NAMES.len());
        let mut toml = format!(
            "secret = \"{SECRET}\"\nrequest_timeout_ms = {REQ_TIMEOUT_MS}\n\n[protocol]\n\
             checkpoint_interval = 4\nlog_window = 8\nview_change_timeout = 1000\n\
             client_timeout = 300\nview_change_retransmit = 300\nstate_retry = 150\n"
        );
        for (name, port) in NAMES.iter().zip(&ports) {
            toml.push_str(&format!("\n[[nodes]]\nname = \"{name}\"\naddr = \"127.0.0.1:{port}\"\n"));
        }
        let base = dir.join("base.toml");
        fs::write(&base, toml).expect("write config");
        let out = Command::new(env!("CARGO_BIN_EXE_pbft-node"))
            .arg("--config")
            .arg(&base)
            .arg("--gen-keys")
            .arg("--key-dir")
            .arg(dir.join("keys"))
            .output()
            .expect("run pbft-node --gen-keys");
        assert!(out.status.success(), "--gen-keys: {}", String::from_utf8_lossy(&out.stderr));
        let config = dir.join("cluster.toml");
        fs::write(&config, &out.stdout).expect("write config");
        TestCluster { dir, config, ports, children: (0..NAMES.len()).map(|_| None).collect(), durable: false }
    }

    /// A cluster whose nodes keep their state in `data-NAME/`.
    fn durable(tag: &str) -> TestCluster {
        let mut c = TestCluster::new(tag);
        c.durable = true;
        c
    }

    fn key_path(&self, i: usize) -> PathBuf {
        self.dir.join("keys").join(format!("{}.key", NAMES[i]))
    }

    fn log_path(&self, i: usize) -> PathBuf {
        self.dir.join(format!("{}.log", NAMES[i]))
    }

    fn start(&mut self, i: usize) {
        assert!(self.children[i].is_none(), "{} already running", NAMES[i]);
        let log = File::options().create(true).append(true).open(self.log_path(i)).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_pbft-node"))
            .arg(NAMES[i])
            .arg("--config")
            .arg(&self.config)
            .arg("--key-file")
            .arg(self.key_path(i))
            .args(if self.durable { vec!["--data-dir".into(), self.dir.join(format!("data-{}", NAMES[i]))] } else { vec![] })
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .expect("spawn pbft-node");
        self.children[i] = Some(child);
        // Ready when it answers /status.
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok((200, _)) = http(self.ports[i], "GET", "/status", &[], b"") {
                return;
            }
            if let Some(Ok(Some(code))) = self.children[i].as_mut().map(|c| c.try_wait()) {
                panic!("{} exited at start with {code}", NAMES[i]);
            }
            assert!(Instant::now() < until, "{} did not come up within 10 s", NAMES[i]);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Crashes node `i` (SIGKILL: no goodbye to anyone).
    fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.children[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn status(&self, i: usize) -> Value {
        let (code, body) = http(self.ports[i], "GET", "/status", &[], b"").expect("status");
        assert_eq!(code, 200, "{}: {body}", NAMES[i]);
        serde_json::from_str(&body).expect("status JSON")
    }

    /// `GET /req?op` at node `i`; must be answered 200 within the bound.
    fn req(&self, i: usize, op: &str) -> Value {
        let t0 = Instant::now();
        let (code, body) = http(self.ports[i], "GET", &format!("/req?{op}"), &[], b"").expect("req");
        assert_eq!(code, 200, "{} /req?{op} after {:?}: {body}", NAMES[i], t0.elapsed());
        let v: Value = serde_json::from_str(&body).expect("req JSON");
        assert_eq!(v["outcome"], "accepted", "{body}");
        v
    }

    fn last_executed(&self, i: usize) -> u64 {
        self.status(i)["lastExecuted"].as_u64().expect("lastExecuted")
    }

    /// Sends requests round-robin through `via` until node `i` executed as far
    /// as every other live node and works in the same view; returns how many
    /// requests it took.
    fn until_caught_up(&self, i: usize, via: &[usize], live: &[usize], tag: &str) -> usize {
        for k in 0..24 {
            let max = live.iter().map(|&j| self.last_executed(j)).max().unwrap_or(0);
            let s = self.status(i);
            let view = live.iter().filter(|&&j| j != i).map(|&j| self.status(j)["view"].clone()).next();
            let in_step = s["status"] == "normal" && Some(&s["view"]) == view.as_ref();
            if s["lastExecuted"].as_u64() == Some(max) && in_step && k > 0 {
                let all: Vec<String> = live
                    .iter()
                    .map(|&j| {
                        let s = self.status(j);
                        format!("{} n{} v{} {}", NAMES[j], s["lastExecuted"], s["view"], s["status"])
                    })
                    .collect();
                eprintln!("{} caught up after {k} requests: {}", NAMES[i], all.join(", "));
                return k;
            }
            self.req(via[k % via.len()], &format!("{tag}{k}={k}"));
        }
        // A last look after the traffic settled.
        std::thread::sleep(Duration::from_millis(500));
        let all: Vec<(String, u64, u64)> = live
            .iter()
            .map(|&j| {
                let s = self.status(j);
                (NAMES[j].to_string(), s["lastExecuted"].as_u64().unwrap_or(0), s["view"].as_u64().unwrap_or(0))
            })
            .collect();
        panic!("{} did not catch up after 24 requests: (name, lastExecuted, view) = {all:?}", NAMES[i]);
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        for i in 0..self.children.len() {
            self.kill(i);
        }
        if std::thread::panicking() {
            for (i, name) in NAMES.iter().enumerate() {
                let text = fs::read_to_string(self.log_path(i)).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                eprintln!("----- last lines of {name} -----");
                for l in &lines[lines.len().saturating_sub(60)..] {
                    eprintln!("{l}");
                }
            }
            eprintln!("(logs kept in {})", self.dir.display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn free_ports(n: usize) -> Vec<u16> {
    // Hold all listeners at once so the ports differ; the OS will not hand
    // them out again right away.
    let ls: Vec<TcpListener> = (0..n).map(|_| TcpListener::bind("127.0.0.1:0").expect("bind")).collect();
    ls.iter().map(|l| l.local_addr().expect("addr").port()).collect()
}

/// A minimal HTTP/1.1 exchange (Connection: close): (status, body).
fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<(u16, String), String> {
    http_full(port, method, path, headers, body).map(|(code, _, body)| (code, body))
}

/// As [`http`], with the response's head (lower-cased) too.
fn http_full(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<(u16, String, String), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).map_err(|e| e.to_string())?;
    let bound = Duration::from_millis(REQ_TIMEOUT_MS + 6000);
    s.set_read_timeout(Some(bound)).map_err(|e| e.to_string())?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    s.write_all(body).map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no HTTP head")?;
    let code = head.split(' ').nth(1).and_then(|c| c.parse().ok()).ok_or("no status code")?;
    Ok((code, head.to_ascii_lowercase(), body.to_string()))
}

/// One Server-Sent Event: its name (`message` if none) and its data.
type Sse = (String, String);

/// Subscribes to `GET /events` at `port`: the events arrive on the channel,
/// read by a thread that ends when the node closes the stream or `stop` is set.
fn subscribe(port: u16, stop: Arc<AtomicBool>) -> mpsc::Receiver<Sse> {
    let mut s = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).expect("connect");
    s.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout");
    s.write_all(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n").expect("write");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(s);
        // Reads one line, retrying on read timeouts until `stop`.
        let line = |r: &mut BufReader<TcpStream>| -> Option<String> {
            let mut l = String::new();
            loop {
                match r.read_line(&mut l) {
                    Ok(0) => return None,
                    Ok(_) if l.ends_with('\n') => return Some(l.trim_end_matches(['\r', '\n']).to_string()),
                    Ok(_) => {}
                    Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                        if stop.load(Ordering::Relaxed) {
                            return None;
                        }
                    }
                    Err(_) => return None,
                }
            }
        };
        // The head, then the chunked body: SSE lines inside the chunks.
        while let Some(l) = line(&mut r) {
            if l.is_empty() {
                break;
            }
        }
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            let Some(size) = line(&mut r) else { return };
            let Ok(size) = usize::from_str_radix(size.trim(), 16) else { return };
            let mut chunk = vec![0u8; size + 2];
            let mut got = 0;
            while got < chunk.len() {
                match r.read(&mut chunk[got..]) {
                    Ok(0) => return,
                    Ok(k) => got += k,
                    Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                    }
                    Err(_) => return,
                }
            }
            for l in String::from_utf8_lossy(&chunk[..size]).split('\n') {
                if let Some(v) = l.strip_prefix("event:") {
                    name = v.trim().to_string();
                } else if let Some(v) = l.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                } else if l.is_empty() && !data.is_empty() {
                    let ev = (if name.is_empty() { "message".to_string() } else { std::mem::take(&mut name) }, std::mem::take(&mut data));
                    if tx.send(ev).is_err() {
                        return;
                    }
                }
            }
        }
    });
    rx
}

/// Reads events from `rx` until `done` says the collected ones are enough;
/// panics with what came if the stream ends or 10 s pass first.
fn collect_until(rx: &mpsc::Receiver<Sse>, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let until = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while !done(&seen) {
        let left = until.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((name, data)) if name == "message" => seen.push(serde_json::from_str(&data).expect("event JSON")),
            Ok(_) => {}
            Err(_) => panic!("{what}: the stream did not deliver in time; it gave {} events: {seen:#?}", seen.len()),
        }
    }
    seen
}

#[test]
fn four_processes_survive_crashes_view_change_and_restarts() {
    let t0 = Instant::now();
    let mut c = TestCluster::new("main");
    for i in 0..4 {
        c.start(i);
    }

    // Normal case: any node acts as a client; results, views and sequence numbers.
    for (i, name) in NAMES.iter().enumerate() {
        let a = c.req(i, &format!("general{i}=attack"));
        assert_eq!(a["result"], format!("general{i}=attack"));
        assert_eq!(a["view"], 0);
        assert_eq!(a["seq"], (i + 1) as u64, "{a}");
        assert_eq!(a["client"], *name);
        assert!(a["replicas"].as_array().is_some_and(|r| r.len() >= 2), "f+1 = 2 matching replies: {a}");
    }
    // K = 4: checkpoint n4 becomes stable once a quorum's CHECKPOINTs are in.
    let until = Instant::now() + Duration::from_secs(3);
    let s = loop {
        let s = c.status(0);
        if s["stableCheckpoint"] == 4 || Instant::now() > until {
            break s;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(s["primary"], "Apple");
    assert_eq!(s["lastExecuted"], 4);
    assert_eq!(s["stableCheckpoint"], 4, "{s}");

    // A backup crashes: the other three still commit.
    c.kill(3);
    for i in 0..3 {
        let a = c.req(i, &format!("noIBM{i}=ok"));
        assert_eq!(a["view"], 0);
    }

    // It restarts fresh and catches up (state transfer at the next checkpoint).
    c.start(3);
    c.until_caught_up(3, &[3, 0, 1, 2], &[0, 1, 2, 3], "back");

    // The primary crashes: a view change, and requests succeed in view 1.
    c.kill(0);
    let a = c.req(1, "warTime=1234");
    assert!(a["view"].as_u64() >= Some(1), "after a view change: {a}");
    let v = c.status(1)["view"].as_u64().unwrap_or(0);
    assert!(v >= 1, "MS is in view {v}");
    for i in [2, 3, 1] {
        let a = c.req(i, &format!("view{i}=new"));
        assert!(a["view"].as_u64() >= Some(1), "{a}");
    }

    // The old primary restarts fresh in view 0: the NEW-VIEW for stragglers
    // and state transfer bring it back.
    c.start(0);
    c.until_caught_up(0, &[0, 1, 2, 3], &[0, 1, 2, 3], "apple");
    let a = c.req(0, "general0");
    assert_eq!(a["result"], "general0=attack", "read through the restarted node: {a}");

    // Every replica that executed as far holds the same store.
    std::thread::sleep(Duration::from_millis(300));
    let statuses: Vec<Value> = (0..4).map(|i| c.status(i)).collect();
    let top = statuses.iter().filter_map(|s| s["lastExecuted"].as_u64()).max();
    let stores: Vec<&Value> = statuses.iter().filter(|s| s["lastExecuted"].as_u64() == top).map(|s| &s["store"]).collect();
    assert!(stores.len() >= 3, "at least a quorum at the top: {top:?}");
    assert!(stores.windows(2).all(|w| w[0] == w[1]), "stores differ: {stores:?}");

    // Two of four down: no quorum, and the answer says so in time.
    c.kill(1);
    c.kill(2);
    let t = Instant::now();
    let (code, body) = http(c.ports[3], "GET", "/req?lonely=1", &[], b"").expect("req");
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("no quorum"), "{body}");
    assert!(t.elapsed() < Duration::from_millis(REQ_TIMEOUT_MS + 2000), "answered after {:?}", t.elapsed());

    eprintln!("cluster scenario took {:?}", t0.elapsed());
}

#[test]
fn forged_and_malformed_messages_are_refused() {
    let mut c = TestCluster::new("auth");
    c.start(0);
    let port = c.ports[0];
    let key = derive_pair_key(SECRET, "MS", "Apple");
    let prepare = br#"[{"from":{"type":"replica","id":1},"to":{"type":"replica","id":0},"msg":{"kind":"prepare","view":0,"seq":1,"digest":7,"replica":1}}]"#;
    let mac = key.mac_hex(prepare);
    let post = |headers: &[(&str, &str)], body: &[u8]| http(port, "POST", "/pbft", headers, body).expect("post").0;

    // Authentic: accepted.
    assert_eq!(post(&[("X-Pbft-From", "MS"), ("X-Pbft-Mac", &mac)], prepare), 204);
    // No sender, unknown sender, no MAC, a wrong MAC, the right MAC under another name.
    assert_eq!(post(&[], prepare), 401);
    assert_eq!(post(&[("X-Pbft-From", "Mallory"), ("X-Pbft-Mac", &mac)], prepare), 401);
    assert_eq!(post(&[("X-Pbft-From", "MS")], prepare), 401);
    let wrong = derive_pair_key("another secret", "MS", "Apple").mac_hex(prepare);
    assert_eq!(post(&[("X-Pbft-From", "MS"), ("X-Pbft-Mac", &wrong)], prepare), 401);
    assert_eq!(post(&[("X-Pbft-From", "Google"), ("X-Pbft-Mac", &mac)], prepare), 401);
    // A tampered body.
    let mut tampered = prepare.to_vec();
    let at = tampered.iter().position(|&b| b == b'7').expect("digest");
    tampered[at] = b'8';
    assert_eq!(post(&[("X-Pbft-From", "MS"), ("X-Pbft-Mac", &mac)], &tampered), 401);
    // Authentic but malformed, or MS speaking as Google.
    for body in [&b"not json"[..], br#"[{"from":{"type":"replica","id":1}}]"#, b"[]"] {
        let mac = key.mac_hex(body);
        assert_eq!(post(&[("X-Pbft-From", "MS"), ("X-Pbft-Mac", &mac)], body), 400, "{}", String::from_utf8_lossy(body));
    }
    let as_google = String::from_utf8_lossy(prepare).replacen(r#""id":1"#, r#""id":2"#, 1);
    let mac = key.mac_hex(as_google.as_bytes());
    assert_eq!(post(&[("X-Pbft-From", "MS"), ("X-Pbft-Mac", &mac)], as_google.as_bytes()), 401);

    // Bad client input.
    assert_eq!(http(port, "GET", "/req", &[], b"").expect("req").0, 400);
    assert_eq!(http(port, "GET", "/req?a%zz", &[], b"").expect("req").0, 400);
    assert_eq!(http(port, "GET", "/nowhere", &[], b"").expect("req").0, 404);
    // The node is still fine and logged the refusals.
    assert_eq!(c.status(0)["node"], "Apple");
    let log = fs::read_to_string(c.log_path(0)).unwrap_or_default();
    assert!(log.contains("bad or missing MAC"), "{log}");
    assert!(log.contains("malformed message"), "{log}");
}

#[test]
fn cli_errors_are_clear() {
    let bin = env!("CARGO_BIN_EXE_pbft-node");
    let out = Command::new(bin).arg("Nobody").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Apple, MS, Google, IBM"), "{err}");

    let out = Command::new(bin).args(["Apple", "--config", "/nonexistent/cluster.toml"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));

    let out = Command::new(bin).arg("--print-config").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("name = \"IBM\"") && text.contains("127.0.0.1:1114"), "{text}");
    assert_eq!(text.matches("public_key = ").count(), 4, "{text}");

    // Keys: a node needs its own secret key, and only its own.
    let c = TestCluster::new("keys");
    let start = |args: &[&str]| {
        let out = Command::new(bin).arg("Apple").arg("--config").arg(&c.config).args(args).output().expect("run");
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (code, err) = start(&[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("Apple has a public_key but no secret key") && err.contains("--key-file"), "{err}");
    let (code, err) = start(&["--key-file", &c.key_path(1).to_string_lossy()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("is not the secret key of Apple"), "{err}");
    let (code, err) = start(&["--key-file", "/nonexistent/Apple.key"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot read key file"), "{err}");
}

#[test]
fn the_event_stream_shows_a_request_and_pages_may_read_it() {
    let mut c = TestCluster::new("events");
    for i in 0..4 {
        c.start(i);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let streams: Vec<_> = (0..4).map(|i| subscribe(c.ports[i], stop.clone())).collect();
    // Each stream opens with who is speaking.
    for (i, rx) in streams.iter().enumerate() {
        let (name, data) = rx.recv_timeout(Duration::from_secs(5)).expect("hello");
        assert_eq!(name, "hello", "{data}");
        let hello: Value = serde_json::from_str(&data).expect("hello JSON");
        assert_eq!(hello["node"], NAMES[i]);
        assert_eq!(hello["replica"], i);
        assert_eq!(hello["names"], serde_json::json!(NAMES));
        assert_eq!(hello["n"], 4);
        assert_eq!(hello["durable"], false);
    }
    // Subscribed: /status counts the stream.
    assert_eq!(c.status(0)["eventSubscribers"], 1);

    let a = c.req(1, "stream=1");
    let seq = a["seq"].as_u64().expect("seq");
    let executed = |evs: &[Value]| evs.iter().any(|e| e["type"] == "executed" && e["op"] == "stream=1");
    let ms = collect_until(&streams[1], "MS", |evs| executed(evs) && evs.iter().any(|e| e["type"] == "accepted"));
    let by_replica: Vec<Vec<Value>> =
        [0, 2, 3].iter().map(|&i| collect_until(&streams[i], NAMES[i], |evs| executed(evs))).collect();
    let apple = &by_replica[0];

    // MS's client: submitted, sent the REQUEST to the primary, accepted f+1 replies.
    let submitted = ms.iter().find(|e| e["type"] == "submitted").expect("submitted");
    assert_eq!(submitted["op"], "stream=1");
    assert_eq!(submitted["client"], 1);
    let request = ms
        .iter()
        .find(|e| e["type"] == "sent" && e["kind"] == "request" && e["to"] == 0)
        .unwrap_or_else(|| panic!("MS/client sent the REQUEST to Apple: {ms:#?}"));
    assert_eq!(request["from"], -2, "client 1 is node number -2");
    assert_eq!(request["text"], "stream=1");
    let accepted = ms.iter().find(|e| e["type"] == "accepted").expect("accepted");
    assert_eq!(accepted["result"], "stream=1");
    assert!(accepted["replicas"].as_array().is_some_and(|r| r.len() >= 2), "{accepted}");

    // Apple, the primary, received that very message (the sender's id travels
    // with it) and multicast a PRE-PREPARE for the sequence number.
    let got = apple.iter().find(|e| e["type"] == "delivered" && e["kind"] == "request").expect("delivered");
    assert_eq!(got["msg"], request["msg"]);
    assert_eq!(got["from"], -2);
    let pp: Vec<&Value> = apple.iter().filter(|e| e["type"] == "sent" && e["kind"] == "pre-prepare").collect();
    assert_eq!(pp.len(), 3, "to each backup: {pp:#?}");
    assert!(pp.iter().all(|e| e["seq"] == seq && e["view"] == 0));

    // Every replica went through the phases and executed it at the same place
    // with the same digest; the events carry real times.
    for (i, evs) in [(0, apple), (2, &by_replica[1]), (3, &by_replica[2])].into_iter().chain([(1, &ms)]) {
        let phases: Vec<&str> = evs
            .iter()
            .filter(|e| e["type"] == "phase" && e["seq"] == seq)
            .filter_map(|e| e["phase"].as_str())
            .collect();
        assert!(phases.contains(&"prepared") && phases.contains(&"committed"), "{}: {phases:?}", NAMES[i]);
        let ex = evs.iter().find(|e| e["type"] == "executed" && e["op"] == "stream=1").expect("executed");
        assert_eq!(ex["replica"], i);
        assert_eq!(ex["seq"], seq);
        assert_eq!(ex["digest"], pp[0]["digest"], "{}", NAMES[i]);
        assert_eq!(ex["result"], "stream=1");
        let ids: Vec<u64> = evs.iter().filter_map(|e| e["id"].as_u64()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids increase");
        assert!(evs.iter().all(|e| e["time"].as_u64() > Some(1_600_000_000_000)), "Unix milliseconds");
        // A backup sent a PREPARE to every other replica; the primary none.
        let prepares = evs.iter().filter(|e| e["type"] == "sent" && e["kind"] == "prepare" && e["seq"] == seq).count();
        assert_eq!(prepares, if i == 0 { 0 } else { 3 }, "{}", NAMES[i]);
    }

    // CORS: a page on localhost may read the node; another origin may not;
    // the peers' endpoint never answers a browser.
    let (code, head, _) = http_full(c.ports[0], "GET", "/status", &[("Origin", "http://localhost:8080")], b"").expect("status");
    assert_eq!(code, 200);
    assert!(head.contains("access-control-allow-origin: http://localhost:8080"), "{head}");
    let (code, head, _) = http_full(c.ports[0], "GET", "/status", &[("Origin", "https://elsewhere.example")], b"").expect("status");
    assert_eq!(code, 200);
    assert!(!head.contains("access-control-allow-origin"), "{head}");
    let pre = [("Origin", "http://127.0.0.1:5000"), ("Access-Control-Request-Method", "GET")];
    let (code, head, _) = http_full(c.ports[0], "OPTIONS", "/events", &pre, b"").expect("preflight");
    assert_eq!(code, 204);
    assert!(head.contains("access-control-allow-origin: http://127.0.0.1:5000"), "{head}");
    assert!(head.contains("access-control-allow-methods: get"), "{head}");
    let (_, head, _) = http_full(c.ports[0], "OPTIONS", "/pbft", &pre, b"").expect("preflight");
    assert!(!head.contains("access-control-allow-origin"), "{head}");
    stop.store(true, Ordering::Relaxed);
}

/// The executions in a node's log (every life of it): (seq, fresh request
/// "client t" or none).
fn executions(log: &str) -> Vec<(u64, Option<String>)> {
    log.lines()
        .filter_map(|l| {
            let rest = &l[l.find(" executed n")? + " executed n".len()..];
            let seq = rest.split(' ').next()?.parse().ok()?;
            // `"op" from MS/client t123 -> "result"`: a fresh execution.
            let fresh = rest.find(" from ").zip(rest.find(" -> ")).map(|(a, b)| rest[a + 6..b].to_string());
            Some((seq, fresh))
        })
        .collect()
}

#[test]
fn a_durable_replica_killed_under_load_resumes_without_loss_or_double_execution() {
    let t0 = Instant::now();
    let mut c = TestCluster::durable("durable");
    for i in 0..4 {
        c.start(i);
    }
    // Load: two clients (MS and IBM) send requests back to back.
    let stop = Arc::new(AtomicBool::new(false));
    let answers: Arc<Mutex<Vec<Value>>> = Arc::default();
    let loaders: Vec<_> = [1usize, 3]
        .into_iter()
        .map(|via| {
            let (port, stop, answers) = (c.ports[via], stop.clone(), answers.clone());
            std::thread::spawn(move || {
                let mut k = 0;
                while !stop.load(Ordering::Relaxed) {
                    let op = format!("load{via}x{k}={k}");
                    if let Ok((200, body)) = http(port, "GET", &format!("/req?{op}"), &[], b"") {
                        answers.lock().unwrap().push(serde_json::from_str(&body).expect("answer JSON"));
                    }
                    k += 1;
                }
            })
        })
        .collect();
    let wait_for = |count: usize| {
        let until = Instant::now() + Duration::from_secs(20);
        while answers.lock().unwrap().len() < count {
            assert!(Instant::now() < until, "the load stalled at {} answers", answers.lock().unwrap().len());
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    wait_for(20);
    // Google (a backup) is killed in the middle of it: no goodbye, no flush.
    let before = c.last_executed(2);
    c.kill(2);
    let at_kill = answers.lock().unwrap().len();
    wait_for(at_kill + 12);
    stop.store(true, Ordering::Relaxed);
    for l in loaders {
        l.join().expect("loader");
    }
    let answers = answers.lock().unwrap().clone();
    // What Google vouched for: its REPLY decided these results.
    let vouched: Vec<u64> = answers
        .iter()
        .filter(|a| a["replicas"].as_array().is_some_and(|r| r.iter().any(|n| n == "Google")))
        .filter_map(|a| a["seq"].as_u64())
        .collect();
    let vouched_top = vouched.iter().copied().max().unwrap_or(0);
    assert!(!vouched.is_empty(), "Google replied before it was killed");

    // It restarts from its log: at least as far as it had executed and vouched,
    // before any message from the others could have taught it anything.
    c.start(2);
    let s = c.status(2);
    let rec = &s["durability"]["recovered"];
    assert_eq!(rec["restarts"], 1, "one earlier life: {s}");
    assert!(rec["records"].as_u64() > Some(0), "{s}");
    let back = rec["lastExecuted"].as_u64().expect("recovered lastExecuted");
    assert!(back >= before && back >= vouched_top, "recovered n{back}; executed n{before} before the kill, vouched up to n{vouched_top}");
    assert_eq!(rec["view"], 0);
    eprintln!("Google recovered {} inputs in {} ms: n{back} (vouched up to n{vouched_top})", rec["records"], rec["ms"]);

    // It catches up with the others and works on.
    c.until_caught_up(2, &[2, 0, 1, 3], &[0, 1, 2, 3], "after");

    // Nothing lost: every accepted request is in the store of every replica at the top.
    std::thread::sleep(Duration::from_millis(300));
    let statuses: Vec<Value> = (0..4).map(|i| c.status(i)).collect();
    let top = statuses.iter().filter_map(|s| s["lastExecuted"].as_u64()).max();
    assert_eq!(statuses[2]["lastExecuted"].as_u64(), top, "Google is at the top");
    let stores: Vec<&Value> = statuses.iter().filter(|s| s["lastExecuted"].as_u64() == top).map(|s| &s["store"]).collect();
    assert!(stores.windows(2).all(|w| w[0] == w[1]), "stores differ: {stores:?}");
    assert!(statuses[2]["storeSize"].as_u64() < Some(100), "the test's keys fit the store shown");
    let store = statuses[2]["store"].as_array().expect("store");
    for a in &answers {
        let (key, value) = a["op"].as_str().and_then(|op| op.split_once('=')).expect("op");
        assert!(store.iter().any(|kv| kv[0] == key && kv[1] == value), "{key} lost: {a}");
    }

    // Nothing executed twice: in Google's log over both lives, every sequence
    // number and every client request executed at most once.
    let log = fs::read_to_string(c.log_path(2)).expect("log");
    assert!(log.contains("recovered from"), "{log}");
    let ex = executions(&log);
    assert!(ex.len() as u64 >= before, "{} executions logged", ex.len());
    let mut seqs: Vec<u64> = ex.iter().map(|e| e.0).collect();
    seqs.sort_unstable();
    assert!(seqs.windows(2).all(|w| w[0] != w[1]), "a sequence number executed twice: {seqs:?}");
    let mut fresh: Vec<&String> = ex.iter().filter_map(|e| e.1.as_ref()).collect();
    fresh.sort_unstable();
    assert!(fresh.windows(2).all(|w| w[0] != w[1]), "a request executed twice: {fresh:?}");
    eprintln!("durable cluster scenario: {} requests accepted, took {:?}", answers.len(), t0.elapsed());
}

/// Replays a recorded live trace (every node's deliveries, submissions and
/// fired timers, from its `/events`) through the simulator in manual
/// delivery: each node's inputs in its own order, a delivered message matched
/// to the oldest in-flight one with the same sender, receiver, kind, view and
/// sequence number. Returns how many inputs it replayed.
fn replay(sim: &mut Simulation, traces: &[Vec<Value>]) -> usize {
    use pbft_playground::sim::{node_of, TimerKind};
    let num = |v: &Value| v.as_i64().expect("node number");
    // The view and sequence number of each message, by (sender node, id).
    let mut sent = std::collections::HashMap::new();
    for (i, t) in traces.iter().enumerate() {
        for e in t.iter().filter(|e| e["type"] == "sent") {
            sent.insert((i, e["msg"].as_u64().expect("msg")), (e["view"].as_u64(), e["seq"].as_u64()));
        }
    }
    let mut queues: Vec<std::collections::VecDeque<&Value>> = traces
        .iter()
        .map(|t| t.iter().filter(|e| ["delivered", "submitted", "fired"].contains(&e["type"].as_str().unwrap_or(""))).collect())
        .collect();
    let mut done = 0;
    loop {
        // The earliest head that can be replayed now.
        let mut best: Option<(u64, usize, Option<u64>)> = None;
        for (i, q) in queues.iter().enumerate() {
            let Some(e) = q.front() else { continue };
            let time = e["time"].as_u64().expect("time");
            if best.is_some_and(|b| b.0 <= time) {
                continue;
            }
            let ready = match e["type"].as_str() {
                Some("delivered") => {
                    let from = node_of(num(&e["from"]));
                    let sender = match from {
                        pbft_playground::protocol::NodeId::Replica(r) => r,
                        pbft_playground::protocol::NodeId::Client(c) => c as usize,
                    };
                    let Some(&(view, seq)) = sent.get(&(sender, e["msg"].as_u64().expect("msg"))) else { continue };
                    let to = node_of(num(&e["to"]));
                    let id = sim.in_flight_ids().into_iter().find(|&id| {
                        sim.in_flight_message(id).is_some_and(|(f, t, m)| {
                            f == from && t == to && m.kind().as_str() == e["kind"] && m.view() == view && m.seq() == seq
                        })
                    });
                    id.map(Some)
                }
                _ => Some(None),
            };
            if let Some(id) = ready {
                best = Some((time, i, id));
            }
        }
        let Some((_, i, id)) = best else { return done };
        let e = queues[i].pop_front().expect("head");
        match (e["type"].as_str(), id) {
            (Some("delivered"), Some(id)) => sim.deliver(id).expect("deliver"),
            (Some("submitted"), _) => {
                sim.request_from(e["client"].as_u64().expect("client") as u32, e["op"].as_str().expect("op")).expect("request");
            }
            (Some("fired"), _) => {
                let (node, timer) = (num(&e["node"]), TimerKind::named(e["timer"].as_str().expect("timer")).expect("timer code"));
                if sim.has_timer(node, timer) {
                    sim.fire_timer(node, timer).expect("fire");
                }
            }
            other => panic!("unexpected {other:?}"),
        }
        done += 1;
    }
}

#[test]
fn a_recorded_live_trace_replays_through_the_engine_to_the_same_executed_log() {
    use pbft_playground::protocol::Config;
    use pbft_playground::sim::{Delivery, SimConfig};
    let mut c = TestCluster::new("replay");
    for i in 0..4 {
        c.start(i);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let streams: Vec<_> = (0..4).map(|i| subscribe(c.ports[i], stop.clone())).collect();
    for rx in &streams {
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).expect("hello").0, "hello");
    }
    // Requests from every node's client, across a checkpoint (K = 4).
    const REQUESTS: usize = 6;
    for k in 0..REQUESTS {
        c.req(k % 4, &format!("replay{k}={k}"));
    }
    let all = |evs: &[Value]| evs.iter().filter(|e| e["type"] == "executed").count() >= REQUESTS;
    let mut traces: Vec<Vec<Value>> = streams.iter().enumerate().map(|(i, rx)| collect_until(rx, NAMES[i], all)).collect();
    // What followed the last execution (its last COMMITs, CHECKPOINTs, replies) comes too.
    std::thread::sleep(Duration::from_millis(300));
    for (t, rx) in traces.iter_mut().zip(&streams) {
        while let Ok((name, data)) = rx.try_recv() {
            if name == "message" {
                t.push(serde_json::from_str(&data).expect("event JSON"));
            }
        }
    }
    stop.store(true, Ordering::Relaxed);

    let protocol = Config {
        checkpoint_interval: 4,
        log_window: 8,
        view_change_timeout: 1000,
        client_timeout: 300,
        view_change_retransmit: 300,
        state_retry: 150,
        ..Config::with_n(4)
    };
    let cfg = SimConfig { protocol, names: NAMES.iter().map(|s| s.to_string()).collect(), clients: 4, delivery: Delivery::Manual, ..SimConfig::new(4, 1) };
    let mut sim = Simulation::new(cfg).expect("simulation");
    let inputs: usize = traces.iter().map(|t| t.iter().filter(|e| ["delivered", "submitted", "fired"].contains(&e["type"].as_str().unwrap_or(""))).count()).sum();
    let replayed = replay(&mut sim, &traces);
    eprintln!("replayed {replayed} of {inputs} recorded inputs");

    // The same executed log on every replica: the same operation at every sequence number.
    for (r, t) in traces.iter().enumerate() {
        let real: Vec<(u64, Option<&str>)> =
            t.iter().filter(|e| e["type"] == "executed").map(|e| (e["seq"].as_u64().expect("seq"), e["op"].as_str())).collect();
        let replay: Vec<(u64, Option<String>)> = sim.executed(r).iter().map(|e| (e.seq, e.op.as_deref().map(str::to_string))).collect();
        let replay: Vec<(u64, Option<&str>)> = replay.iter().map(|(s, o)| (*s, o.as_deref())).collect();
        assert_eq!(real.len(), REQUESTS, "{}: {real:?}", NAMES[r]);
        assert_eq!(replay, real, "{}: the replay executed differently", NAMES[r]);
    }
    assert!(sim.snapshot().violations.is_empty());
}
