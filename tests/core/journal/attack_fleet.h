// The attack tests' journal: two interventions on web-01 and web-02 (with
// their host pins), written by the real writer, and the ways to read it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/core/journal/fixture.h"
#include "tests/core/journal/tamper.h"
#include "tests/testing.h"

namespace daybook::testing {

struct Fleet {
  TempDir tmp;
  JournalFixture f{tmp.path / "journal"};
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();

  Fleet() {
    auto w = f.Open(*fs);
    f.Intervention(*w, "i-0", {"web-01", "web-02"});
    f.Intervention(*w, "i-1", {"web-01", "web-02"});
  }
  journal::JournalFiles Files() const { return *journal::ReadJournalFiles(*fs, f.dir); }
  std::vector<journal::NoteVerifier> Vkeys() const { return f.VerifyWith().vkeys; }
  journal::VerifyReport Verify(const journal::JournalFiles& files, journal::VerifyOptions options) const { return journal::VerifyJournal(files, options); }
  journal::VerifyReport Verify(const journal::JournalFiles& files) const { return journal::VerifyJournal(files, f.VerifyWith()); }
  journal::VerifyReport Verify() const { return Verify(Files()); }
  journal::VerifierState State() const {
    journal::VerifyReport r = Verify();
    REQUIRE(r.ok());
    return {r.origin, r.sealed, r.root, r.checkpoint, r.vkey, 365, r.pruned, r.day_starts};
  }
  std::vector<std::string> Lines() const { return daybook::testing::Lines(Files().records); }
  void AppendByHand(const std::string& line) {
    WriteAll(f.dir / "records.jsonl", ReadAll(f.dir / "records.jsonl") + line + "\n");
  }
};

}  // namespace daybook::testing
