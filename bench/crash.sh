#!/usr/bin/env bash
# Soak: a child JVM writes through the engine and is killed with SIGKILL at random moments;
# after every kill each acknowledged write must read back. Usage: bench/crash.sh [kills, default 50]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B ${MVN_OFFLINE:-} -pl vault-core -am test -Dkeyward.excludedGroups=benchmark \
  -Dtest=CrashDurabilityTest -Dkeyward.crash.kills="${1:-50}"
