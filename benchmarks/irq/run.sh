#!/usr/bin/env bash
# Interrupt latency: raise -> filter and raise -> action through the interrupt controller, next to a
# raw park/unpark hand-off, in one JVM.
# Usage: benchmarks/irq/run.sh [samples-per-mode] [idle-gap-us]   (from anywhere; builds what it needs)
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -DskipTests -pl benchmarks/irq -am package
CP=benchmarks/irq/target/classes:runtime/platform/target/classes:runtime/kernel/target/classes:device-models/api/target/classes
exec java -cp "$CP" dev.sluice.benchmarks.irq.IrqLatencyBenchmark "${1:-20000}" "${2:-200}"
