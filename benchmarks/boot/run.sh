#!/usr/bin/env bash
# Boot benchmark: Sluice kernel image vs bare Felix + Gogo, same JVM flags, median of N runs.
# Usage: [BOOT_FLAGS="-Xmn4m ..."] benchmarks/boot/run.sh [runs] [--no-cds]   (from anywhere; builds what it
# needs first). BOOT_FLAGS adds JVM flags to both images, to try them.
# Each image gets its class-data archive from one training boot first, as ./sluice does;
# --no-cds measures both without archives. Both keep each boot's bundle cache where ./sluice keeps
# it (RAM-backed when possible); SLUICE_CACHE_DIR=DIR puts both under DIR instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -DskipTests -pl benchmarks/boot -am package
[ $# -eq 0 ] && set -- 7
exec java ${BOOT_FLAGS:+"-Dboot.flags=$BOOT_FLAGS"} -cp benchmarks/boot/target/classes dev.sluice.benchmarks.boot.BootBenchmark "$@"
