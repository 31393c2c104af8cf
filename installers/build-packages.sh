#!/usr/bin/env bash
# Runs jpackage with the argfiles Maven filled in (target/args); called by the installers profile:
#   mvn -B -Pinstallers -pl installers -am package
# Linux: the app-image, its tarball and the .deb. Windows: the .msi (WiX 3 on PATH). macOS: the .dmg.
set -euo pipefail
target=$1 os=$2 version=$3
jpackage=jpackage
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jpackage" ]; then jpackage="$JAVA_HOME/bin/jpackage"; fi
rm -rf "$target/jpackage"
mkdir -p "$target/jpackage"
case "$os" in
  linux)
    "$jpackage" @"$target/args/app-image.args"
    "$jpackage" @"$target/args/deb.args"
    tar -C "$target/jpackage" --owner=0 --group=0 -czf "$target/jpackage/keyward-$version-linux-x64.tar.gz" keyward
    ;;
  windows) "$jpackage" @"$target/args/msi.args" ;;
  macos) "$jpackage" @"$target/args/dmg.args" ;;
  *) echo "build-packages.sh: unknown OS $os" >&2; exit 2 ;;
esac
ls -l "$target/jpackage"
