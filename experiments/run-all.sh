#!/bin/sh
# Runs every experiment, one run at a time, niced; logs to runs/exp/all.log. Cached runs are reused.
set -e
cd "$(dirname "$0")/.."
mkdir -p runs/exp
nice -n 10 npx tsx experiments/resnet.ts "$@" >> runs/exp/all.log 2>&1
nice -n 10 npx tsx experiments/lstm.ts >> runs/exp/all.log 2>&1
