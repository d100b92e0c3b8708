#!/usr/bin/env bash
# The published package as a new user gets it: `npm pack`, install the tarball in an empty
# folder, and run the worked example and the API example from there (no repository around).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -1)
if tar -tzf "$work/$tarball" | grep -q '^package/dist/bench/'; then echo "pack-smoke: dist/bench is in the package" >&2; exit 1; fi
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "./$tarball"
cp "$root/examples/refcount.ts" "$root/examples/counter.ts" "$root/examples/api.ts" .
# the worked example through the CLI: the correct variant holds, the racy one fails and replays
npx kcheck run --protocol refcount.ts --runs 300 --seed 1
set +e
npx kcheck run --protocol refcount.ts --variant dec-then-read --seed 1 > racy.txt; code=$?
set -e
[ "$code" = 1 ] || { echo "pack-smoke: the racy variant exited $code, expected 1" >&2; cat racy.txt; exit 1; }
token=$(grep -o 'kc3\.[A-Za-z0-9_-]*' racy.txt | head -1)
set +e
npx kcheck replay "$token" > /dev/null; code=$?
set -e
[ "$code" = 1 ] || { echo "pack-smoke: the replay exited $code, expected 1" >&2; exit 1; }
npx kcheck audit --protocol refcount.ts --seed 1
npx kcheck run --protocol refcount.ts --runs 200 --seed 1 --workers 2
# the API, as examples/api.ts says it runs
npx jiti api.ts
echo "pack-smoke: ok ($tarball)"
