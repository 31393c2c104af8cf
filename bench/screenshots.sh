#!/usr/bin/env bash
# Opens the console under Xvfb on a scratch vault with sample data and writes a PNG of every
# main screen to docs/screenshots/. Needs xvfb-run (apt-get install -y xvfb libgtk-3-0).
set -euo pipefail
cd "$(dirname "$0")/.."
# one reactor run, so that vault-core resolves to this checkout's classes
mvn -q -B -pl app -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
# vault-core from this checkout, not whatever SNAPSHOT sits in the local repository
cp="app/target/test-classes:app/target/classes:$(sed "s#[^:]*vault-core-[^:]*SNAPSHOT.jar#$(pwd)/vault-core/target/classes#" app/target/bench-classpath.txt)"
xvfb-run -a -s "-screen 0 1280x800x24" \
  java -Dprism.order=sw -cp "$cp" dev.keyward.console.tour.ScreenshotTour docs/screenshots
