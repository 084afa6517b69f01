#!/usr/bin/env bash
# Measures how reliably a jcstress mode catches the negative controls (the known-buggy protocols).
# Usage: runtime/jcstress/measure-negative-controls.sh [RUNS] [jcstress mode options...]
# Default: 10 runs of the quick mode used by `mvn verify`. Prints one summary line per control and run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
runs="${1:-10}"; shift || true
opts=("$@"); [ ${#opts[@]} -eq 0 ] && opts=(-m quick -sc false -jvmArgs "-XX:+UseParallelGC")
jar="$here/target/jcstress.jar"
[ -f "$jar" ] || { echo "build first: mvn -B package -pl runtime/jcstress -am" >&2; exit 2; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$runs"); do
  (cd "$work" && java -cp "$jar" dev.sluice.kernel.jcstress.SuiteRunner "${opts[@]}" -t 'NegativeControl' -r "$work/report" > "$work/run.txt" 2>&1) || true
  grep -E '^(DETECTED|MISSED|FAIL) ' "$work/run.txt" | sed "s/^/run $i: /"
done
