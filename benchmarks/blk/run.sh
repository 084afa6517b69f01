#!/usr/bin/env bash
# virtio-blk benchmark: the driver's request engine (transport, virtqueue, splitting, interrupt
# harvesting) against the virtio-blk device model on an image file, vs a raw FileChannel on the
# same file. Usage: benchmarks/blk/run.sh [MiB]   (from anywhere; builds what it needs first)
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o -DskipTests -pl benchmarks/blk -am package
CP=benchmarks/blk/target/classes
for m in drivers/virtio runtime/kernel device-models/api device-models/virtio; do CP="$CP:$m/target/classes"; done
CP="$CP:$(ls ~/.m2/repository/org/osgi/org.osgi.util.promise/1.3.0/*.jar | head -1):$(ls ~/.m2/repository/org/osgi/org.osgi.util.function/1.2.0/*.jar | head -1)"
exec java -cp "$CP" dev.sluice.benchmarks.blk.BlkBenchmark "${1:-64}"
