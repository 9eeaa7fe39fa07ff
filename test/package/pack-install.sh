#!/usr/bin/env bash
# The installed-package check (CI runs it; so can you): packs archc with `npm pack`, installs the tarball into an
# empty folder the way a user would (from the warm npm cache when there is one), and runs the installed CLI on a
# spec of the user's own: `archc check`, `archc build` and `archc train --data synthetic --steps 5`. Also checks
# that the tarball holds no tests, runs or experiments. Exit 0 when every step works.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

tarball="$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -1)"
echo "packed $tarball ($(du -h "$work/$tarball" | cut -f1))"
# src/ only for the PyTorch target's Python runtime, which tsc does not copy into dist/.
if tar -tzf "$work/$tarball" | grep -v '^package/src/codegen/pytorch/runtime/archc_torch/[a-z_]*\.py$' |
  grep -E '^package/(test|runs|experiments|bench|scripts|src|generated)/'; then
  echo "pack-install: the tarball holds files a user does not need (above)" >&2
  exit 1
fi

mkdir "$work/user" && cd "$work/user"
npm init -y >/dev/null
npm install --no-audit --no-fund --prefer-offline "$work/$tarball" >/dev/null
cp node_modules/archc/specs/fashion-cnn.arch my-net.arch

npx --no-install archc check my-net.arch
npx --no-install archc build my-net.arch -o out
test -s out/fashion_cnn.ts
# The PyTorch target from the installed (compiled) package: its Python runtime ships with it.
npx --no-install archc build my-net.arch --target pytorch -o out-py
test -s out-py/fashion_cnn.py
test -s out-py/archc_torch/train.py
npx --no-install archc train my-net.arch --data synthetic --steps 5 --batch 8 --synthetic-size 32 --eval-limit 32 --out run
test -s run/metrics.jsonl
test -s run/my-net.pruned.arch
npx --no-install archc check run/my-net.pruned.arch
echo "pack-install: ok"
