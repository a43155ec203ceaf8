#!/usr/bin/env bash
# Interop: the Go team's sumdb packages (golang.org/x/mod/sumdb/note and
# tlog, from Debian's golang-golang-x-mod-dev, GOPATH mode, no network)
# verify a journal daybook wrote: checkpoint signature, leaf hashes, root,
# inclusion and consistency proofs; and Go refuses an altered checkpoint.
#   go_sumdb_test.sh JOURNAL_WRITER SOURCE_DIR DAYBOOK
set -euo pipefail
writer=$1 src=$2 daybook=$3
gopath=/usr/share/gocode
if ! command -v go > /dev/null || [[ ! -d $gopath/src/golang.org/x/mod/sumdb/tlog ]]; then
  echo "SKIP: go or golang-golang-x-mod-dev missing (scripts/install-deps installs them)"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/daybook-go-sumdb.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
"$daybook" init fleet > /dev/null
cd fleet
ssh-keygen -q -t ed25519 -N '' -C op -f "$work/op"
echo "ops@example $(cat "$work/op.pub")" >> allowed_signers
origin=$(sed -n 's/^origin = "\(.*\)".*/\1/p' daybook.toml)
"$writer" journal .daybook/journal.key "$work/op" allowed_signers "$origin" 7 > /dev/null
export GO111MODULE=off GOPATH=$gopath GOCACHE=$work/gocache GOFLAGS=
go build -o "$work/sumdb_check" "$src/tests/interop/sumdb_check.go"
"$work/sumdb_check" journal journal.vkey
# The verifier agrees too, and a tampered checkpoint is refused by Go's note.
"$daybook" journal verify > /dev/null
sed -i '2s/.*/999/' journal/checkpoint
if "$work/sumdb_check" journal journal.vkey 2> /dev/null; then
  echo "FAIL: Go accepted an altered checkpoint" >&2
  exit 1
fi
echo "PASS"
