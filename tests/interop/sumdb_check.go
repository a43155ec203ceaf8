// Checks a daybook journal with the Go team's own sumdb packages
// (golang.org/x/mod/sumdb/note and tlog, Debian golang-golang-x-mod-dev):
// the checkpoint note verifies under the published vkey, every record's
// leaf hash is tlog.RecordHash of its line, the stored hashes file is read
// as tlog's StoredHashIndex layout and gives the checkpoint's root, and
// inclusion and consistency proofs made by tlog from it check.
//   go run sumdb_check.go JOURNAL_DIR VKEY_FILE
package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type fileHashes []byte

func (f fileHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if (x+1)*32 > int64(len(f)) {
			return nil, fmt.Errorf("hash %d beyond the hashes file", x)
		}
		copy(out[i][:], f[x*32:(x+1)*32])
	}
	return out, nil
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "sumdb_check: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: sumdb_check JOURNAL_DIR VKEY_FILE")
	}
	dir := os.Args[1]
	vkey, _ := os.ReadFile(os.Args[2])
	verifier, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	if err != nil {
		fail("vkey: %v", err)
	}
	msg, _ := os.ReadFile(dir + "/checkpoint")
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("note.Open rejects our checkpoint: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("checkpoint size: %v", err)
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != 32 {
		fail("checkpoint root: %v", err)
	}
	var root tlog.Hash
	copy(root[:], rootBytes)

	raw, _ := os.ReadFile(dir + "/hashes")
	hashes := fileHashes(raw)
	records, _ := os.ReadFile(dir + "/records.jsonl")
	recordLines := bytes.Split(bytes.TrimSuffix(records, []byte("\n")), []byte("\n"))
	for i := int64(0); i < size; i++ {
		line := recordLines[i]
		if bytes.Contains(line, []byte(`"pruned":true`)) {
			continue // a tombstone keeps the leaf hash, not the bytes
		}
		stored, err := hashes.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
		if err != nil || stored[0] != tlog.RecordHash(line) {
			fail("record %d: tlog.RecordHash differs from the stored leaf hash", i)
		}
	}
	got, err := tlog.TreeHash(size, hashes)
	if err != nil || got != root {
		fail("tlog.TreeHash over our hashes file is not the checkpoint root (%v)", err)
	}
	for i := int64(0); i < size; i++ {
		proof, err := tlog.ProveRecord(size, i, hashes)
		if err != nil {
			fail("ProveRecord %d: %v", i, err)
		}
		leaf, _ := hashes.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
		if err := tlog.CheckRecord(proof, size, root, i, leaf[0]); err != nil {
			fail("CheckRecord %d: %v", i, err)
		}
	}
	for old := int64(1); old < size; old++ {
		oldRoot, _ := tlog.TreeHash(old, hashes)
		proof, err := tlog.ProveTree(size, old, hashes)
		if err != nil {
			fail("ProveTree %d: %v", old, err)
		}
		if err := tlog.CheckTree(proof, size, root, old, oldRoot); err != nil {
			fail("CheckTree %d->%d: %v", old, size, err)
		}
	}
	fmt.Printf("go sumdb: checkpoint (%s, size %d) verified by note.Open; tlog agrees on %d leaf hashes, the root, %d inclusion and %d consistency proofs\n",
		lines[0], size, size, size, size-1)
}
