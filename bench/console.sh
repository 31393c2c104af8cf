#!/usr/bin/env bash
# Console numbers on this machine:
#  1. cold start: JVM start to the unlock screen on an initialised vault, under Xvfb (goal < 2.5 s),
#     and to the vault being open (Unseal enabled; it opens in the background meanwhile),
#     next to a bare JavaFX window (Xvfb + JavaFX start-up alone) as the reference;
#  2. search-as-you-type over 100,000 secret paths, next to a plain contains() scan.
# Usage: bench/console.sh [runs, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
mvn -q -B -pl app -am test-compile
mvn -q -B -pl app -am dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
# vault-core from this checkout, not whatever SNAPSHOT sits in the local repository
cp="app/target/test-classes:app/target/classes:$(sed "s#[^:]*vault-core-[^:]*SNAPSHOT.jar#$(pwd)/vault-core/target/classes#" app/target/bench-classpath.txt)"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
java -cp "$cp" dev.keyward.console.bench.StartupVault "$home"
echo "== cold start to the unlock screen ($runs runs)"
for i in $(seq "$runs"); do
  KEYWARD_HOME="$home" xvfb-run -a -s "-screen 0 1280x800x24" \
    java -Dprism.order=sw -Dkeyward.startupReport=exit -cp "$cp" dev.keyward.console.Launcher 2>&1 \
    | grep -o 'startup-to-[a-z]*-ms=[0-9]*'
done
echo "== reference: bare JavaFX window ($runs runs)"
for i in $(seq "$runs"); do
  xvfb-run -a -s "-screen 0 1280x800x24" java -Dprism.order=sw -cp "$cp" dev.keyward.console.bench.BareWindow
done
echo "== filter over 100,000 secrets"
java -cp "$cp" dev.keyward.console.bench.FilterBench 100000
