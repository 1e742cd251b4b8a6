//! A durable replica: a write-ahead log of the replica's inputs (`--data-dir`).
//!
//! The replica is a pure state machine: its state is a function of the inputs
//! it handled, in order (a restart, each message delivered to it, each timer
//! fired). So the log keeps those inputs, not the state: a restarted node
//! replays them through a fresh [`Replica`](crate::protocol::Replica) and is
//! back in the state it crashed in, with its view, its log of pre-prepares,
//! prepares and commits, its checkpoints and proofs, its view-change
//! messages, its service state and its last reply to each client. Signatures
//! are deterministic (ed25519), so the replayed replica signs what the
//! crashed one signed; nothing it said before the crash can be contradicted
//! after it.
//!
//! The rule that makes it safe: the driver appends an input before it hands
//! it to the replica, and calls [`Wal::sync`] (write and `fsync`) before it
//! performs any of the replica's outputs: before a PREPARE, COMMIT, REPLY,
//! CHECKPOINT or VIEW-CHANGE leaves, before an execution is reported. An
//! input the crash lost was never acted on outside the process, so its loss
//! is the loss of a message in flight, which PBFT tolerates. One `fsync`
//! covers every input of a batch (group commit).
//!
//! Records: `u32` length, the first 4 bytes of the payload's SHA-256, the
//! payload (JSON, little-endian integers). A torn record at the end (a crash
//! in the middle of a write) fails its check; the log is cut before it.
//!
//! The log grows with the run: compaction at stable checkpoints (a snapshot
//! of the replica) is not done, so recovery replays the whole history (its
//! speed is in BENCHMARKS.md).

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::protocol::{Message, NodeId, ReplicaTimer};

/// File name of the log inside the data directory.
pub const WAL_FILE: &str = "replica.wal";
/// File naming the node a data directory belongs to.
pub const OWNER_FILE: &str = "node";
/// Largest record read back (a STATE message carries the whole store).
const MAX_RECORD: usize = 64 << 20;

/// One input of the replica, as logged (borrowed, for writing).
#[derive(Serialize)]
#[serde(tag = "t", rename_all = "kebab-case")]
pub enum RecordRef<'a> {
    /// The replica (re)started: `Replica::on_restart`.
    Restart,
    /// A message delivered to the replica.
    Deliver {
        /// Sender.
        from: NodeId,
        /// The message.
        msg: &'a Message,
    },
    /// A timer fired.
    Timer {
        /// Which.
        timer: usize,
    },
}

/// One input of the replica, as read back.
#[derive(Debug, Deserialize)]
#[serde(tag = "t", rename_all = "kebab-case")]
pub enum Record {
    /// The replica (re)started.
    Restart,
    /// A message delivered to the replica.
    Deliver {
        /// Sender.
        from: NodeId,
        /// The message.
        msg: Message,
    },
    /// A timer fired (index into [`ReplicaTimer::ALL`]).
    Timer {
        /// Which.
        timer: usize,
    },
}

impl Record {
    /// The timer of a [`Record::Timer`].
    pub fn timer(i: usize) -> Option<ReplicaTimer> {
        ReplicaTimer::ALL.get(i).copied()
    }
}

/// The open log of one node.
pub struct Wal {
    path: PathBuf,
    file: BufWriter<File>,
    dirty: bool,
    /// Records in the file.
    pub records: u64,
    /// Bytes in the file.
    pub bytes: u64,
    /// `fsync` calls since the start.
    pub syncs: u64,
}

fn io_err(what: &Path, e: io::Error) -> String {
    format!("{}: {e}", what.display())
}

fn check(payload: &[u8]) -> [u8; 4] {
    let h = Sha256::digest(payload);
    [h[0], h[1], h[2], h[3]]
}

impl Wal {
    /// Opens (or creates) the log of node `name` in `dir` and reads back the
    /// records it holds. A directory used by another node is refused; a torn
    /// last record is cut off.
    pub fn open(dir: &Path, name: &str) -> Result<(Wal, Vec<Record>), String> {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create the data directory {}", io_err(dir, e)))?;
        let owner = dir.join(OWNER_FILE);
        match fs::read_to_string(&owner) {
            Ok(s) if s.trim() == name => {}
            Ok(s) => {
                return Err(format!(
                    "the data directory {} belongs to node {:?}, not {name:?}: give each node its own",
                    dir.display(),
                    s.trim()
                ))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::write(&owner, format!("{name}\n")).map_err(|e| format!("cannot write {}", io_err(&owner, e)))?;
                sync_dir(dir);
            }
            Err(e) => return Err(format!("cannot read {}", io_err(&owner, e))),
        }
        let path = dir.join(WAL_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| format!("cannot open the log {}", io_err(&path, e)))?;
        let mut raw = Vec::new();
        file.read_to_end(&mut raw).map_err(|e| format!("cannot read the log {}", io_err(&path, e)))?;
        let (records, good) = parse(&raw).map_err(|e| format!("the log {} is damaged: {e}", path.display()))?;
        if good < raw.len() {
            tracing::warn!(
                target: "pbft::wal",
                "{}: cut a torn record at the end ({} bytes after byte {good}; a crash during a write)",
                path.display(),
                raw.len() - good
            );
            file.set_len(good as u64).map_err(|e| format!("cannot cut the log {}", io_err(&path, e)))?;
            file.sync_data().map_err(|e| io_err(&path, e))?;
        }
        file.seek(SeekFrom::Start(good as u64)).map_err(|e| io_err(&path, e))?;
        sync_dir(dir);
        let wal = Wal {
            path,
            file: BufWriter::with_capacity(1 << 16, file),
            dirty: false,
            records: records.len() as u64,
            bytes: good as u64,
            syncs: 0,
        };
        Ok((wal, records))
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record (buffered: durable after the next [`Wal::sync`]).
    pub fn append(&mut self, r: &RecordRef<'_>) -> Result<(), String> {
        let payload = serde_json::to_vec(r).map_err(|e| e.to_string())?;
        let len = u32::try_from(payload.len()).map_err(|_| "record too large".to_string())?;
        let mut head = [0u8; 8];
        head[..4].copy_from_slice(&len.to_le_bytes());
        head[4..].copy_from_slice(&check(&payload));
        self.file
            .write_all(&head)
            .and_then(|()| self.file.write_all(&payload))
            .map_err(|e| io_err(&self.path, e))?;
        self.records += 1;
        self.bytes += 8 + payload.len() as u64;
        self.dirty = true;
        Ok(())
    }

    /// Makes every appended record durable: writes them out and `fsync`s
    /// (`fdatasync`). Nothing to do when nothing was appended since the last.
    pub fn sync(&mut self) -> Result<(), String> {
        if !self.dirty {
            return Ok(());
        }
        self.file.flush().map_err(|e| io_err(&self.path, e))?;
        self.file.get_ref().sync_data().map_err(|e| io_err(&self.path, e))?;
        self.dirty = false;
        self.syncs += 1;
        Ok(())
    }
}

/// `fsync` of a directory, so a new file's name is durable too (best effort).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The records of a log and the length of its intact part. A record that
/// passes its check but does not parse is damage, not a torn write: an error.
fn parse(raw: &[u8]) -> Result<(Vec<Record>, usize), String> {
    let mut records = Vec::new();
    let mut at = 0;
    while raw.len() - at >= 8 {
        let len = u32::from_le_bytes(raw[at..at + 4].try_into().unwrap_or_default()) as usize;
        if len > MAX_RECORD || raw.len() - at - 8 < len {
            break;
        }
        let payload = &raw[at + 8..at + 8 + len];
        if raw[at + 4..at + 8] != check(payload) {
            break;
        }
        let r: Record = serde_json::from_slice(payload).map_err(|e| format!("record {} at byte {at}: {e}", records.len()))?;
        records.push(r);
        at += 8 + len;
    }
    Ok((records, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Digest, ModelKeys, Prepare, Sig};

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("pbft-wal-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn records_come_back_and_a_torn_tail_is_cut() {
        let d = dir("torn");
        let msg = Message::Prepare(ModelKeys::signed_as(1, Prepare { view: 0, seq: 3, digest: Digest(7), replica: 1, sig: Sig::default() }));
        {
            let (mut w, back) = Wal::open(&d, "Apple").unwrap();
            assert!(back.is_empty());
            w.append(&RecordRef::Restart).unwrap();
            w.append(&RecordRef::Deliver { from: NodeId::Replica(1), msg: &msg }).unwrap();
            w.append(&RecordRef::Timer { timer: 1 }).unwrap();
            w.sync().unwrap();
            assert_eq!(w.syncs, 1);
            w.sync().unwrap();
            assert_eq!(w.syncs, 1, "nothing new: no fsync");
        }
        // A crash in the middle of a fourth record.
        let path = d.join(WAL_FILE);
        let good = fs::metadata(&path).unwrap().len();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[200, 0, 0, 0, 1, 2, 3, 4, b'{']).unwrap();
        drop(f);
        let (w, back) = Wal::open(&d, "Apple").unwrap();
        assert_eq!(back.len(), 3);
        assert!(matches!(back[0], Record::Restart));
        assert!(matches!(&back[1], Record::Deliver { from: NodeId::Replica(1), msg: m } if *m == msg));
        assert!(matches!(back[2], Record::Timer { timer: 1 }));
        assert_eq!(w.bytes, good);
        assert_eq!(fs::metadata(&path).unwrap().len(), good, "the torn record is cut off");
        // Another node may not use this directory.
        let e = Wal::open(&d, "MS").err().unwrap();
        assert!(e.contains("belongs to node \"Apple\""), "{e}");
        let _ = fs::remove_dir_all(&d);
    }
}
