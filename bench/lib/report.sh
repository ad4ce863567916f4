# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# The results: one markdown document (machine, versions, one table), written to $RESULTS and
# printed.

package_version() {
  dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo "not installed"
}

load_average() {
  cut -d' ' -f1 /proc/loadavg
}

machine_lines() {
  local cpu memory os
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
  echo "| CPUs (nproc) | $(nproc) |"
  echo "| CPU model | ${cpu:-unknown} |"
  echo "| memory | $memory |"
  echo "| system | ${os:-unknown}, Linux $(uname -r) |"
  # Other work on the machine skews the figures: the 1-minute load before and after says how much.
  echo "| load average (1 min) | $LOAD_AT_START at the start, $(load_average) at the end |"
}

version_lines() {
  echo "| acmectl | $("$ACMECTL" --version 2>&1 | head -n 1) ($ACMECTL) |"
  echo "| pebble | $(package_version pebble) (Debian package) |"
  # lego's own --version says "dev" in Debian's build.
  echo "| lego | $(package_version lego) (Debian package) |"
  echo "| certbot | $(package_version certbot) (Debian package) |"
  echo "| hyperfine | $(package_version hyperfine) |"
}

# "11" when every run made the same number of requests, else "median (min–max)".
requests_cell() {
  if [[ $2 == "$3" ]]; then echo "$1"; else echo "$1 ($2–$3)"; fi
}

table_lines() {
  echo "| Scenario | Client | Runs | Median s | Min s | Max s | Peak RSS MiB | CA requests a run | Pebble CPU % | Time vs acmectl | Notes |"
  echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"
  local id label shown client
  while IFS=$'\t' read -r id label; do
    shown=$label
    for client in $CLIENTS library_floor; do
      if table_row "$id" "$client" "$shown"; then shown=""; fi
    done
  done <"$LABELS"
}

# table_row ID CLIENT LABEL: the client's figures or its note; status 1 when it has neither.
table_row() {
  local id=$1 client=$2 label=$3 runs median min max rss rq rq_min rq_max cpu base ratio
  if IFS=$'\t' read -r _ _ runs median min max rss rq rq_min rq_max cpu < <(
    awk -F'\t' -v id="$id" -v c="$client" '$1 == id && $2 == c' "$SUMMARY"
  ); then
    base=$(awk -F'\t' -v id="$id" '$1 == id && $2 == "acmectl" { print $4 }' "$SUMMARY")
    ratio=""
    if [[ $client != acmectl && -n $base ]]; then
      ratio=$(awk -v a="$median" -v b="$base" 'BEGIN { if (b > 0) printf "%.1f×", a / b }')
    fi
    printf '| %s | %s | %s | %.3f | %.3f | %.3f | %.1f | %s | %s | %s | |\n' "$label" "$client" \
      "$runs" "$median" "$min" "$max" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" \
      "$(requests_cell "$rq" "$rq_min" "$rq_max")" "${cpu:-}" "$ratio"
    return 0
  fi
  local text
  text=$(awk -F'\t' -v id="$id" -v c="$client" '$1 == id && $2 == c { print $3; exit }' "$NOTES")
  [[ -n $text ]] || return 1
  printf '| %s | %s | | | | | | | | | %s |\n' "$label" "$client" "$text"
}

write_report() {
  # bench/serving.sh's section (between its markers) is kept: the two benchmarks share the file.
  local serving_section=""
  if [[ -f $RESULTS ]]; then
    serving_section=$(sed -n '/<!-- serving:begin/,/<!-- serving:end/p' "$RESULTS")
  fi
  {
    echo "# Benchmark results"
    echo
    echo "Written by \`bench/bench.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') — run it again to replace"
    echo "this file; bench/README.md says what each figure means. Command: \`$COMMAND_LINE\`"
    echo "(mode $MODE: $RUNS_SINGLE runs a single-name scenario, $RUNS_MULTI runs a larger one)."
    echo
    echo "| machine | |"
    echo "|---|---|"
    machine_lines
    echo
    echo "| software | version |"
    echo "|---|---|"
    version_lines
    echo
    table_lines
    echo
    echo "Times are wall-clock seconds for the whole run (for \"in a row\", all certificates of the"
    echo "run; the \`list\`, \`renew\` and \`--version\` rows are hyperfine's, when installed, since"
    echo "they take milliseconds); peak RSS is the largest single process of a run (GNU \`time -v\`);"
    echo "CA requests are the requests Pebble routed during the run (its \"-> calling handler()\""
    echo "log lines);"
    echo "Pebble CPU % is the CPU time Pebble used during the run over the run's wall time (median;"
    echo "100 is one core busy: Pebble, not the client, is then the limit)."
    echo "Pebble ran with PEBBLE_VA_NOSLEEP=1, PEBBLE_AUTHZREUSE=0, PEBBLE_WFE_NONCEREJECT=0;"
    echo "every run used names no earlier order had used. Certificate keys are EC P-256 for all"
    echo "three clients; account keys are EC P-256 for acmectl and lego, RSA 2048 for certbot"
    echo "(it has no other kind)."
    if [[ -n $serving_section ]]; then
      echo
      echo "$serving_section"
    fi
  } >"$RESULTS"
  say ""
  cat "$RESULTS"
}
