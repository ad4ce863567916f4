# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# One measured run: wall time around the whole workload, peak RSS of each client process (GNU
# time), requests Pebble saw in between. Statistics over runs.

# timed CMD...: runs one client process under GNU time, its output appended to $RUN_LOG and
# time's report to $RUN_TIME_FILE (read after the run, so that parsing it is not timed). Returns
# the command's status.
timed() {
  /usr/bin/time -v -a -o "$RUN_TIME_FILE" "$@" >>"$RUN_LOG" 2>&1
}

# measure_run WORKLOAD ARGS...: runs the workload (a shell function calling `timed` once or
# more) in this shell and sets RUN_SECONDS, RUN_RSS_KIB (largest process), RUN_REQUESTS and
# RUN_PEBBLE_CPU (Pebble's CPU time as a percentage of the run's wall time: near 100 on one core
# means Pebble, not the client, is the limit).
measure_run() {
  local before after start end status=0 cpu_before cpu_after
  : >"$RUN_TIME_FILE"
  : >"$RUN_LOG"
  before=$(ca_requests)
  cpu_before=$(pebble_cpu_seconds)
  # Microseconds from bash 5's EPOCHREALTIME, read by the shell itself: $(date) would fork a
  # process on each side of the run and count its start-up (milliseconds) as the client's time.
  # Its decimal separator follows the locale, hence [.,].
  start=${EPOCHREALTIME/[.,]/}
  "$@" || status=$?
  end=${EPOCHREALTIME/[.,]/}
  cpu_after=$(pebble_cpu_seconds)
  after=$(ca_requests)
  RUN_SECONDS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
  RUN_RSS_KIB=$(awk -F': ' '/Maximum resident set size/ { if ($2 > max) max = $2 } END { print max + 0 }' \
    "$RUN_TIME_FILE")
  RUN_REQUESTS=$((after - before))
  RUN_PEBBLE_CPU=$(awk -v a="$cpu_before" -v b="$cpu_after" -v s="$RUN_SECONDS" \
    'BEGIN { if (s > 0) printf "%.0f", 100 * (b - a) / s; else print 0 }')
  return "$status"
}

# stats < numbers: "median min max" of one number a line.
stats() {
  sort -g | awk '
    { v[NR] = $1 }
    END {
      if (NR == 0) exit 1
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      print m, v[1], v[NR]
    }'
}

# summarize ID CLIENT RUNS_FILE: appends one line to $SUMMARY from the runs recorded in RUNS_FILE
# ("seconds rss_kib requests pebble_cpu_percent" a line): id, client, runs, median/min/max
# seconds, largest RSS, median/min/max requests, median Pebble CPU percentage.
summarize() {
  local id=$1 client=$2 file=$3 runs seconds rss requests cpu
  runs=$(wc -l <"$file")
  seconds=$(awk '{print $1}' "$file" | stats)
  rss=$(awk '{print $2}' "$file" | sort -n | tail -n 1)
  requests=$(awk '{print $3}' "$file" | stats)
  cpu=$(awk '{print ($4 == "" ? 0 : $4)}' "$file" | stats)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$client" "$runs" "${seconds// /$'\t'}" "$rss" \
    "${requests// /$'\t'}" "${cpu%% *}" >>"$SUMMARY"
}

# note ID CLIENT TEXT: a scenario a client did not run, and why (shown in the table).
note() {
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$NOTES"
  say "  $2: $3"
}
