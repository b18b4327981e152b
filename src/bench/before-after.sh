#!/bin/bash
# Relay latency before and after a change, in one run: builds BEFORE (a commit) in a temporary
# worktree, then alternates the two builds ROUNDS times at a fixed RATE, so both see the same
# machine and its drift, each set-up in its own JVM. Reports land in OUT as <side>-<round>-<config>.md (and
# .json); a round that fails is logged and the run goes on.
#
#   src/bench/before-after.sh BEFORE [RATE] [ROUNDS] [BEFORE_CONFIGS] [AFTER_CONFIGS]
#   e.g. src/bench/before-after.sh 24ef509 5000 3 memory-1,redis-1 memory-1,sqlite-1,redis-1,redis-sqlite-1
# BENCH_JVM: the JVM's flags for both sides (default -Xms2g -Xmx2g); GC_LOG=1 adds a GC log per run
# ($OUT/<name>.gc.log). It ends with each side's p99 by round and their medians (before-after-summary.sh).
set -euo pipefail
before=${1:?a commit to compare with}
rate=${2:-10000}
rounds=${3:-3}
before_configs=${4:-memory-1,redis-1}
after_configs=${5:-$before_configs}
here=$(cd "$(dirname "$0")/../.." && pwd)
out=${OUT:-$here/target/bench/before-after}
tree=$(mktemp -d)/before
mkdir -p "$out"
git -C "$here" worktree add -q --detach "$tree" "$before"
trap 'git -C "$here" worktree remove --force "$tree"' EXIT
(cd "$tree" && mvn -B -q -Pbench test-compile)
(cd "$here" && mvn -B -q -Pbench test-compile)
for round in $(seq 1 "$rounds"); do
  for side in before after; do
    if [ "$side" = before ]; then dir=$tree; configs=$before_configs; else dir=$here; configs=$after_configs; fi
    # each set-up in a JVM of its own, as the build before runs: a second set-up in the same JVM
    # inherits the first one's heap (its chats' transcripts, collected while it is measured)
    for config in ${configs//,/ }; do
      name=$side-$round-$config
      echo "round $round: $side $config at $rate msg/s"
      jvm=${BENCH_JVM:--Xms2g -Xmx2g}
      if [ -n "${GC_LOG:-}" ]; then jvm="$jvm -Xlog:gc:file=$out/$name.gc.log"; fi
      if (cd "$dir" && mvn -B -q -Pbench exec:exec -Dbench.scenario=relay -Dbench.jvm="$jvm" \
          -Dbench.args="configs=$config rates= fixedRate=$rate name=$name out=$out" > "$out/$name.log" 2>&1); then
        grep -h "fixed, longer" "$out/$name.md" || true
      else
        echo "failed (see $out/$name.log)"
      fi
    done
  done
done
"$here/src/bench/before-after-summary.sh" "$out"
