#!/bin/sh
# The local AT Protocol network the Bluesky tests start (npm's @atproto/dev-env: PLC, PDS, AppView),
# installed from the npm registry only, OUTSIDE the clone: a cache directory named after the hash of
# the two lock files here, so a second clone on the same machine (or a CI runner keeping the cache)
# reuses it and pays nothing, like pip's cache.
#
#   tests/atproto/install.sh         install when missing (make install runs it)
#   tests/atproto/install.sh --dir   print the directory (the test fixture asks it)
#
# dev-env needs Node >= 22 (the machine's Node may be older): Node 22 comes from npm's `node`
# package into <dir>/node. better-sqlite3 is then built from source against that Node, with its
# headers from the same package, so neither GitHub's prebuilt binaries nor nodejs.org's headers
# are downloaded. KLARTEXT_ATPROTO_DIR overrides the directory.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sha256() { if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi; }
key=$({ cat "$here/node/package-lock.json" "$here/package-lock.json"; uname -sm; } | sha256 | cut -c1-16)
dir=${KLARTEXT_ATPROTO_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/klartext/atproto-$key}
if [ "${1:-}" = "--dir" ]; then
  echo "$dir"
  exit 0
fi
mkdir -p "$(dirname "$dir")"
# A second run at the same time (CI starts one early in the background, then `make install`)
# waits for the first instead of installing again.
if command -v flock >/dev/null; then
  exec 9>"$dir.lock"
  flock 9
fi
[ -f "$dir/.installed" ] && exit 0

echo "Installing the local AT Protocol network for the Bluesky tests into $dir (once per machine)"
start=$(date +%s)
# Built beside the final directory and renamed at the end: a clone running the tests at the same
# time never sees half of it.
tmp="$dir.tmp-$$"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
mkdir -p "$tmp/node"
cp "$here/node/package.json" "$here/node/package-lock.json" "$tmp/node/"
(cd "$tmp/node" && npm ci --no-audit --no-fund --loglevel=error)
node_bin="$tmp/node/node_modules/node/bin"
node_dir=$(dirname "$(ls -d "$tmp"/node/node_modules/node/node_modules/node-*/include)")
cp "$here/package.json" "$here/package-lock.json" "$tmp/"
# Node 22 first on PATH runs npm and every build step; no install scripts on the first pass (they
# would fetch prebuilt binaries), then better-sqlite3 alone is compiled.
(
  cd "$tmp"
  export PATH="$node_bin:$PATH" npm_config_nodedir="$node_dir" JOBS=max
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  npm rebuild better-sqlite3 --build-from-source --loglevel=error
)
touch "$tmp/.installed"
if [ -e "$dir" ]; then
  echo "Another install finished first; using it"
else
  mv "$tmp" "$dir"
  echo "Installed in $(($(date +%s) - start)) s, $(du -sh "$dir" | cut -f1)"
fi
