#!/usr/bin/env bash
# Seed 000 benchmark: the SP804 driver's four ways to block a call until the timer interrupt.
# Usage: benchmarks/timer/run.sh [waits per method] [delay in us]   (from anywhere; builds first)
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -DskipTests -pl benchmarks/timer -am package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -cp "benchmarks/timer/target/classes:$(cat benchmarks/timer/target/classpath.txt)" \
    dev.sluice.drivers.timer.TimerWaitBenchmark "${1:-1000}" "${2:-1000}"
