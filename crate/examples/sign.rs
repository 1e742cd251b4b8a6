//! Cost of one ed25519 signature and one verification as pbft-node makes
//! them (`Ed25519Keys`), against the simulator's model keys. A timing note,
//! not a test: `cargo run --release --features node --example sign [count]`.
use pbft_playground::node::keys::{derive_signing_key, Ed25519Keys};
use pbft_playground::protocol::{ModelKeys, Signer, SigningBytes};
use std::hint::black_box;
use std::time::Instant;

fn time(label: &str, count: u32, mut f: impl FnMut(u32) -> bool) {
    let t = Instant::now();
    let mut ok = 0;
    for i in 0..count {
        ok += u32::from(black_box(f(i)));
    }
    let per = t.elapsed().as_secs_f64() / f64::from(count);
    println!("{label:<28} {:>8.2} µs  ({:>7.0} per second; {ok} of {count} true)", per * 1e6, 1.0 / per);
}

fn main() {
    let count: u32 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let secrets: Vec<_> = ["Apple", "MS", "Google", "IBM"].iter().map(|n| derive_signing_key("bench", n)).collect();
    let public: Vec<_> = secrets.iter().map(|s| s.verifying_key()).collect();
    let ed = Ed25519Keys::new(1, secrets[1].clone(), public).expect("matching keys");
    let model = ModelKeys::of(1);
    // About what a PREPARE covers: tag, view, seq, 32-byte digest, replica.
    let msg = |i: u32| {
        let mut b = SigningBytes::new("prepare");
        b.u64(0).u64(u64::from(i)).bytes(&[7; 32]).u64(1);
        b.finish().to_vec()
    };
    let sig = ed.sign(&msg(0));
    let model_sig = model.sign(&msg(0));
    println!("{count} operations each, over {} bytes", msg(0).len());
    time("ed25519 sign", count, |i| !ed.sign(&msg(i)).is_empty());
    time("ed25519 verify", count, |_| ed.verify(1, &msg(0), &sig));
    time("model sign (simulator)", count, |i| !model.sign(&msg(i)).is_empty());
    time("model verify (simulator)", count, |_| model.verify(1, &msg(0), &model_sig));
}
