//! Memory and time of a long run as the page runs it: events recorded (and
//! drained after each batch, as the page takes them) and saved copies for
//! seeking on.
//!
//! `cargo run --release --example memory -- <n> <requests> [keys]`
//!
//! Requests are writes `k<i % keys>=<i>` from 4 clients, submitted 500 at a
//! time with `run_until_idle` after each batch; `keys` (default 16) is how
//! many distinct keys the store ends up with (`0`: every write a new key).
//! Each line gives the process's resident memory, the bytes the heap holds
//! live (counted by this example's allocator), CPU time so far and the
//! batch's wall time.
//!
//! `cargo run --release --example memory -- continuous <n> <rate> <virtual s>`
//!
//! The page under continuous load: `rate` requests per virtual second from
//! the simulator's own load, events recorded and drained every 100 virtual
//! ms (as the page's frames take them), copies saved. Every 100 virtual
//! seconds a line gives the heap's live bytes, the entries the replicas'
//! executed logs hold, and the heap's growth per accepted request (it moves
//! up and down as saved copies are thinned out).
//!
//! `cargo run --release --example memory -- views <n> <views>`
//!
//! View changes without end: a continuous load of requests, and every
//! CHECKPOINT dropped in flight, so no checkpoint becomes stable, the log
//! window fills and stays full, and each view times out in turn. Every 100
//! views a line gives the bytes each replica holds (what a clone of it
//! allocates), how many bytes a view added to them over the last 100 views,
//! and the views each keeps state for ([`Replica::views_held`]).
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use pbft_playground::protocol::{Message, Replica};
use pbft_playground::sim::{Action, SimConfig, Simulation};

/// The system allocator, counting the bytes it holds.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, size: usize) -> *mut u8 {
        LIVE.fetch_add(size, Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        System.realloc(p, l, size)
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// CPU time of this process (user + system), in seconds.
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is the 14th field, stime the 15th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<i64> = rest.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    // rest starts at field 3 (the state, a letter, filtered out): utime and stime are f[10], f[11].
    f.get(10).zip(f.get(11)).map_or(0.0, |(u, s)| (u + s) as f64 / 100.0)
}

fn mib(b: f64) -> f64 {
    b / (1024.0 * 1024.0)
}

/// Bytes the heap gives to a clone of `r`: what the replica holds (shared parts aside).
fn replica_bytes(r: &Replica) -> usize {
    let before = LIVE.load(Ordering::Relaxed);
    let copy = r.clone();
    let bytes = LIVE.load(Ordering::Relaxed) - before;
    drop(copy);
    bytes
}

fn views(n: usize, views: u64) {
    let mut sim = Simulation::new(SimConfig::new(n, 42)).unwrap();
    sim.set_recording(false);
    sim.act(Action::SetLoad { rate: 5 }).unwrap();
    let mut last: Vec<usize> = (0..n).map(|i| replica_bytes(sim.replica(i))).collect();
    println!("views  virtual ms  stable  bytes per replica (R0..)  bytes per view, last 100 views  views held");
    let mut next = 100;
    while sim.replica(0).view() < views {
        let doomed: Vec<u64> =
            sim.in_flight_ids().into_iter().filter(|&id| matches!(sim.in_flight_message(id), Some((_, _, Message::Checkpoint(_))))).collect();
        for id in doomed {
            sim.drop_message(id).unwrap();
        }
        sim.step();
        let v = sim.replica(0).view();
        if v >= next {
            next += 100;
            let bytes: Vec<usize> = (0..n).map(|i| replica_bytes(sim.replica(i))).collect();
            let per_view: Vec<String> = bytes.iter().zip(&last).map(|(b, l)| format!("{:.0}", (*b as f64 - *l as f64) / 100.0)).collect();
            let held: Vec<usize> = (0..n).map(|i| sim.replica(i).views_held()).collect();
            println!("{v:>5}  {:>10}  {:>6}  {bytes:?}  {per_view:?}  {held:?}", sim.now(), sim.replica(0).low_watermark());
            last = bytes;
        }
    }
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

fn continuous(n: usize, rate: u32, seconds: u64) {
    let mut sim = Simulation::new(SimConfig::new(n, 42)).unwrap();
    sim.act(Action::SetLoad { rate }).unwrap();
    println!("virtual s  accepted  heap MiB  executed entries  heap per accepted request since the last line");
    let (mut last_heap, mut last_acc) = (0usize, 0usize);
    for t in 1..=seconds * 10 {
        drop(sim.advance(100));
        if t % 1000 == 0 {
            let heap = LIVE.load(Ordering::Relaxed);
            let acc = sim.client().accepted_count();
            let entries: usize = (0..n).map(|i| sim.executed_count(i)).sum();
            let per = if last_acc > 0 { (heap as f64 - last_heap as f64) / (acc - last_acc) as f64 } else { 0.0 };
            println!("{:>9}  {acc:>8}  {:>8.2}  {entries:>16}  {per:>8.0} B", sim.now() / 1000, mib(heap as f64));
            (last_heap, last_acc) = (heap, acc);
        }
    }
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

fn main() {
    let arg = |i: usize, d: u64| std::env::args().nth(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    match std::env::args().nth(1).as_deref() {
        Some("continuous") => return continuous(arg(2, 4) as usize, arg(3, 20) as u32, arg(4, 2000)),
        Some("views") => return views(arg(2, 4) as usize, arg(3, 1000)),
        _ => {}
    }
    let (n, total, keys) = (arg(1, 4) as usize, arg(2, 4000) as usize, arg(3, 16) as usize);
    let clients = 4;
    let mut sim = Simulation::new(SimConfig { clients, ..SimConfig::new(n, 42) }).unwrap();
    let cpu0 = cpu_s();
    let mut done = 0;
    println!("requests  virtual ms   RSS MiB  heap MiB  CPU s  batch ms  requests/s (batch)");
    while done < total {
        let batch = (done + 500).min(total);
        let t = std::time::Instant::now();
        for i in done..batch {
            let key = if keys == 0 { i } else { i % keys };
            sim.request_from((i % clients) as u32, &format!("k{key}={i}")).unwrap();
        }
        let events = sim.run_until_idle(100_000_000);
        drop(events);
        let accepted: usize = (0..clients as u32).map(|c| sim.client_by_id(c).map_or(0, |c| c.accepted_count())).sum();
        assert_eq!(accepted, batch, "every request accepted");
        let wall = t.elapsed().as_secs_f64();
        println!(
            "{batch:>8}  {:>10}  {:>8.1}  {:>8.1}  {:>5.2}  {:>8.1}  {:>8.0}",
            sim.now(),
            rss_kib() as f64 / 1024.0,
            mib(LIVE.load(Ordering::Relaxed) as f64),
            cpu_s() - cpu0,
            wall * 1000.0,
            (batch - done) as f64 / wall,
        );
        done = batch;
    }
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}
