#!/usr/bin/env bash
# Runs schemathesis (`pip install schemathesis`) over the whole spec against the mock.
#
#   crates/mijnklantportaal-mock/scripts/schemathesis.sh negative   # refuses what the spec forbids
#   crates/mijnklantportaal-mock/scripts/schemathesis.sh positive   # answers what the spec allows
#
# negative: `negative_data_rejection` and `not_a_server_error` on schema-violating
# requests; positive: every default check on conforming ones. 15 examples per
# operation, seed 7, on the spec the mock embeds (openapi.json, written by
# `cargo xtask generate`). MKP_MOCK names the binary (default: builds `mkp-mock`).
# Not part of CI: it needs Python and takes minutes.
set -euo pipefail
mode="${1:-negative}"
crate="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${MKP_MOCK:-}" ]; then
  cargo build -q -p mijnklantportaal-mock --bin mkp-mock
  MKP_MOCK="${CARGO_TARGET_DIR:-$crate/../../target}/debug/mkp-mock"
fi
port="${MKP_PORT:-18181}"
"$MKP_MOCK" --port "$port" --token schemathesis --no-rate-limit --no-record &
mock=$!
trap 'kill "$mock"' EXIT
for _ in $(seq 50); do
  (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
case "$mode" in
  negative) checks=(--mode negative --checks negative_data_rejection,not_a_server_error) ;;
  positive) checks=(--mode positive) ;;
  *) echo "usage: $0 negative|positive" >&2; exit 64 ;;
esac
cd "${TMPDIR:-/tmp}"
schemathesis run "$crate/openapi.json" --url "http://127.0.0.1:$port/v1" \
  --header "Authorization: Bearer schemathesis" \
  "${checks[@]}" --max-examples 15 --seed 7 --no-color "${@:2}"
