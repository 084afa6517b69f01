#!/usr/bin/env bash
# virtio-blk benchmark: the driver's data path (engine, kernel work loop, gate, interrupt source on
# the platform's interrupt controller) on the virtio-blk model vs a raw FileChannel on the same image.
# Usage: benchmarks/blk/run.sh [MiB] [rounds] [random ops]   (from anywhere; builds what it needs first)
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -DskipTests -pl benchmarks/blk -am package
exec java -jar benchmarks/blk/target/blk-bench.jar "${1:-64}" "${2:-5}" "${3:-20000}"
