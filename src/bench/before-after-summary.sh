#!/bin/bash
# The p99 of each round of a before-after run, per side and set-up, with the medians:
#   src/bench/before-after-summary.sh OUT
# (before-after.sh prints it at its end)
set -euo pipefail
out=${1:?the folder of a before-after run}
for f in "$out"/*-*-*.md; do
  name=$(basename "$f" .md)                  # <side>-<round>-<config>
  side=${name%%-*}; rest=${name#*-}; round=${rest%%-*}; config=${rest#*-}
  p99=$(grep -h "fixed, longer" "$f" | awk -F'|' '{gsub(/ /, "", $5); print $5}')
  [ -n "$p99" ] && echo "$side-$config $round $p99"
done | sort -k1,1 -k2,2n | awk '
  { series[$1] = series[$1] " " $3; values[$1, ++n[$1]] = $3 }
  END {
    for (s in n) {
      m = n[s]
      for (i = 1; i <= m; i++) v[i] = values[s, i]
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      median = m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
      printf "%-22s p99 ms by round:%s  median %.1f (%d rounds)\n", s, series[s], median, m
    }
  }' | sort
