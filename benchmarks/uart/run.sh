#!/usr/bin/env bash
# UART loopback benchmark: bytes/s of a stream written through the 16550 driver's SerialPort, echoed
# by a TCP peer on the ns16550a model's backend and read back through the driver, at 115200 baud
# and faster line rates, vs the line's ceiling (baud/10) and a raw socket echo.
# Usage: benchmarks/uart/run.sh [seconds per row (3)] [baud,baud,...|max (115200,921600,max)]
# (from anywhere; builds what it needs first)
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o -DskipTests -Djcstress.skip -pl benchmarks/uart -am package
CP=benchmarks/uart/target/classes
for m in drivers/uart drivers/serial-api drivers/serial-console runtime/kernel runtime/platform device-models/api device-models/uart; do
  CP="$CP:$m/target/classes"
done
for j in org/osgi/osgi.core/8.0.0 org/osgi/org.osgi.service.log/1.5.0 org/osgi/org.osgi.util.promise/1.3.0 \
    org/osgi/org.osgi.util.function/1.2.0 org/hdrhistogram/HdrHistogram/2.2.2; do
  CP="$CP:$(ls ~/.m2/repository/$j/*.jar | grep -v sources | head -1)"
done
exec java -cp "$CP" dev.sluice.benchmarks.uart.UartLoopbackBenchmark "$@"
