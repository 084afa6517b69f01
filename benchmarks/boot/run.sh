#!/usr/bin/env bash
# Boot benchmark: Sluice kernel image vs bare Felix + Gogo, same JVM flags, median of N runs.
# Usage: benchmarks/boot/run.sh [runs]   (from anywhere; builds what it needs first)
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -DskipTests -pl benchmarks/boot -am package
exec java -cp benchmarks/boot/target/classes dev.sluice.benchmarks.boot.BootBenchmark "${1:-7}"
