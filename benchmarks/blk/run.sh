#!/usr/bin/env bash
# virtio-blk benchmark vs a raw FileChannel on the same image, through two fronts: the driver's data
# path without OSGi (engine, kernel work loop, gate, interrupt source on the platform's interrupt
# controller) and the BlockStorage OSGi service in a real Felix running the kernel image's bundles.
# Usage: benchmarks/blk/run.sh [MiB] [rounds] [random ops] [engine|osgi|both]
#        (from anywhere; builds the kernel image and the benchmark first)
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -DskipTests -pl benchmarks/blk -am package
exec java -jar benchmarks/blk/target/blk-bench.jar "${1:-64}" "${2:-5}" "${3:-20000}" "${4:-both}"
