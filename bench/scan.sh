#!/usr/bin/env bash
# Leak-scan speed: keyward scan over a text corpus (MB/s) next to grep -F over the same files.
# Usage: bench/scan.sh [corpus size in MB, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -o -pl vault-core test-compile
mvn -q -B -o -pl vault-core dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -Dbench.mb="${1:-64}" \
  -cp "vault-core/target/test-classes:vault-core/target/classes:$(cat vault-core/target/bench-classpath.txt)" \
  dev.keyward.vault.bench.ScanBench
