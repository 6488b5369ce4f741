#!/usr/bin/env bash
# Runs schemathesis over the whole spec against `mkp-mock` (not part of `.ci/run`: it
# needs Python and takes minutes).
#
#   bash .ci/schemathesis.sh negative   # the mock refuses what the spec forbids, never a 5xx
#   bash .ci/schemathesis.sh positive   # the mock answers what the spec allows, as the spec says
#
# negative: `--mode negative` with the checks `negative_data_rejection` and
# `not_a_server_error`; positive: `--mode positive` with every default check. Both: 15
# examples per operation, seed 7, on the spec as `cargo xtask bundle --out FILE.json`
# writes it (the same document the mock embeds). Extra arguments go to `schemathesis run`.
#
# SCHEMATHESIS names the program (default: `schemathesis` in a venv under
# `$CARGO_TARGET_DIR/ci/schemathesis`, installed with pip on first use); MKP_MOCK the
# mock binary (default: built here); MKP_PORT its port (default 18181).
set -euo pipefail
mode="${1:-negative}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$target/ci/schemathesis"
mkdir -p "$work"
if [ -z "${SCHEMATHESIS:-}" ]; then
  if [ ! -x "$work/venv/bin/schemathesis" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q "schemathesis==4.32.5"
  fi
  SCHEMATHESIS="$work/venv/bin/schemathesis"
fi
cargo xtask bundle --out "$work/openapi.json"
if [ -z "${MKP_MOCK:-}" ]; then
  cargo build -q -p mijnklantportaal-mock --bin mkp-mock
  MKP_MOCK="$target/debug/mkp-mock"
fi
port="${MKP_PORT:-18181}"
"$MKP_MOCK" --port "$port" --token schemathesis --no-rate-limit --no-record >/dev/null &
mock=$!
trap 'kill "$mock"' EXIT
for _ in $(seq 100); do
  (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
case "$mode" in
  negative) checks=(--mode negative --checks negative_data_rejection,not_a_server_error) ;;
  positive) checks=(--mode positive) ;;
  *) echo "usage: $0 negative|positive [schemathesis run options]" >&2; exit 64 ;;
esac
cd "$work"
"$SCHEMATHESIS" run "$work/openapi.json" --url "http://127.0.0.1:$port/v1" \
  --header "Authorization: Bearer schemathesis" \
  "${checks[@]}" --max-examples 15 --seed 7 --no-color "${@:2}"
