#!/usr/bin/env bash
# Throughput and latency of a four-process pbft-node cluster on loopback,
# measured with wrk (Debian: apt-get install wrk).
#
#   scripts/bench-cluster.sh              # 10 s per run
#   DURATION=30s scripts/bench-cluster.sh
#   PBFT_NODE=/tmp/old/pbft-node scripts/bench-cluster.sh   # another build, to compare
#   MODES=disk scripts/bench-cluster.sh   # durable replicas only (default: "memory disk")
#   DATA=/mnt/ssd/pbft scripts/bench-cluster.sh   # where the durable nodes write (default: a temp dir)
#
# Each mode starts a fresh cluster: "memory" without --data-dir (state in
# memory), "disk" with --data-dir (every input logged and fsynced before the
# replica acts on it). After the disk runs, one node is killed with SIGKILL and
# restarted, and the time its replay of the log took is printed.
#
# Runs: one connection to one node (a single client, sequential requests),
# 16 connections to one node (they queue behind that node's one client), and
# four connections to each of the four nodes at once (four clients). Nodes
# log at warn level; every process started here is stopped on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION="${DURATION:-10s}"
BASE_PORT="${BASE_PORT:-21111}"
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }

if [ -n "${PBFT_NODE:-}" ]; then
  BIN="$PBFT_NODE"
else
  cargo build --release --features node --bin pbft-node
  BIN=target/release/pbft-node
fi
MODES="${MODES:-memory disk}"
DIR="$(mktemp -d)"
DATA="${DATA:-$DIR/data}"
PIDS=()
stop_all() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
}
cleanup() {
  stop_all
  rm -rf "$DIR"
}
trap cleanup EXIT

NAMES=(Apple MS Google IBM)
{
  echo 'secret = "bench"'
  for i in 0 1 2 3; do
    printf '\n[[nodes]]\nname = "%s"\naddr = "127.0.0.1:%d"\n' "${NAMES[$i]}" $((BASE_PORT + i))
  done
} > "$DIR/cluster.toml"

start_node() { # index mode
  local n=${NAMES[$1]} extra=()
  [ "$2" = disk ] && extra=(--data-dir "$DATA/$n")
  "$BIN" "$n" --config "$DIR/cluster.toml" --log warn "${extra[@]}" >> "$DIR/$n.log" 2>&1 &
  PIDS[$1]=$!
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$((BASE_PORT + $1))/status" >/dev/null && return
    sleep 0.1
  done
  echo "${NAMES[$1]} did not start" >&2
  exit 1
}

summary() { # file label
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$1")
  p50=$(awk '$1 == "50%" {print $2}' "$1")
  p99=$(awk '$1 == "99%" {print $2}' "$1")
  errs=$(grep -E 'Non-2xx|Socket errors' "$1" | tr '\n' ' ' || true)
  printf '%-44s %10s req/s   p50 %9s   p99 %9s  %s\n' "$2" "$rps" "$p50" "$p99" "$errs"
}

URL="/req?warTime=1234"
run_loads() { # mode
  wrk -t1 -c1 -d"$DURATION" --latency "http://127.0.0.1:$((BASE_PORT + 1))$URL" > "$DIR/one.txt"
  summary "$DIR/one.txt" "$1: 1 connection, node MS"
  wrk -t1 -c16 -d"$DURATION" --latency "http://127.0.0.1:$((BASE_PORT + 1))$URL" > "$DIR/sixteen.txt"
  summary "$DIR/sixteen.txt" "$1: 16 connections, node MS"
  local WRK=() total=0
  for i in 0 1 2 3; do
    wrk -t1 -c4 -d"$DURATION" --latency "http://127.0.0.1:$((BASE_PORT + i))$URL" > "$DIR/all$i.txt" &
    WRK+=($!)
  done
  wait "${WRK[@]}"
  for i in 0 1 2 3; do
    summary "$DIR/all$i.txt" "$1: 4 connections each, node ${NAMES[$i]}"
    total=$(awk -v t="$total" '/Requests\/sec/ {print t + $2}' "$DIR/all$i.txt")
  done
  printf '%-44s %10.0f req/s\n' "$1: all four nodes together" "$total"
  for i in 0 1 2 3; do
    curl -fs "http://127.0.0.1:$((BASE_PORT + i))/status" |
      awk -v n="${NAMES[$i]}" '/"view"|"lastExecuted"/ && !seen[$1]++ {gsub(/[ ,]/, ""); printf "%s ", $0} END {print "(" n ")"}'
  done
}

for mode in $MODES; do
  rm -rf "$DATA"
  for i in 0 1 2 3; do start_node "$i" "$mode"; done
  curl -fs "http://127.0.0.1:$((BASE_PORT + 1))/req?warTime=1234" >/dev/null
  [ "$mode" = disk ] && echo "disk: logs in $DATA ($(df -T "$DATA" | awk 'NR == 2 {print $2}') on $(df "$DATA" | awk 'NR == 2 {print $1}'))"
  run_loads "$mode"
  if [ "$mode" = disk ]; then
    # Recovery: Google killed (SIGKILL) and restarted replays its whole log.
    kill -9 "${PIDS[2]}"
    wait "${PIDS[2]}" 2>/dev/null || true
    size=$(du -h "$DATA/Google/replica.wal" | cut -f1)
    start_node 2 disk
    curl -fs "http://127.0.0.1:$((BASE_PORT + 2))/status" |
      awk -v size="$size" '/"recovered"/ {r = 1} r && /"records"|"lastExecuted"|"ms"/ {gsub(/[ ,]/, ""); printf "%s ", $0} END {print "(Google restarted after SIGKILL, log " size ")"}'
  fi
  stop_all
done
