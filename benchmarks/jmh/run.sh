#!/usr/bin/env bash
# Runs the Sluice benchmarks next to their JDK baselines and prints the table with ratios.
#   benchmarks/jmh/run.sh                 quick look: 1 fork, 1 x 1 s warmup, 3 x 1 s measurement (~2.5 min)
#   benchmarks/jmh/run.sh full            3 forks, 3 x 2 s warmup, 5 x 2 s measurement (~25 min)
#   benchmarks/jmh/run.sh quick Doorbell  only benchmarks matching a regex (JMH options not set by the preset may follow)
#   benchmarks/jmh/run.sh raw -wi 0 -i 1 -r 500ms   no preset: every JMH option is yours (a smoke run, say)
# Build first (from the repository root): mvn -B -q package -pl benchmarks/jmh -am -DskipTests -Djcstress.skip
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "missing $jar; build it first: mvn -B -q package -pl benchmarks/jmh -am -DskipTests -Djcstress.skip" >&2; exit 2; }
mode="${1:-quick}"; [ $# -gt 0 ] && shift
case "$mode" in
  quick) opts=(-f 1 -wi 1 -w 1s -i 3 -r 1s) ;;
  full)  opts=(-f 3 -wi 3 -w 2s -i 5 -r 2s) ;;
  raw)   opts=() ;;
  *) echo "usage: $0 [quick|full|raw] [JMH options / benchmark regex]" >&2; exit 2 ;;
esac
echo "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
exec java -Dsluice.bench.out="$here/target/jmh-latency" -jar "$jar" ${opts[@]+"${opts[@]}"} "$@"
