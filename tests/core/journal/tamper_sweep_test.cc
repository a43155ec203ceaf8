// The bit-flip sweep (as systemd's test-journal-verify does): every single
// bit of the records, the stored hashes and the checkpoint of a 20-record
// journal is flipped in turn, and every flip must fail verification.
#include <doctest/doctest.h>

#include "tests/core/journal/fixture.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::journal;
using namespace daybook::testing;

TEST_CASE("tamper sweep: every flipped bit of a 20-record journal is detected") {
  TempDir tmp;
  JournalFixture f(tmp.path / "journal");
  auto fs = MakePosixFilesystem();
  {
    auto w = f.Open(*fs);
    for (int i = 0; i < 5; ++i) f.Intervention(*w, "i-" + std::to_string(i), {"web-01", "web-02"});
  }
  const JournalFiles files = *ReadJournalFiles(*fs, f.dir);
  VerifyOptions options = f.VerifyWith();
  options.require_sealed = true;
  REQUIRE(VerifyJournal(files, options).ok());

  for (std::string JournalFiles::*member : {&JournalFiles::records, &JournalFiles::hashes, &JournalFiles::checkpoint}) {
    size_t bits = (files.*member).size() * 8;
    int64_t undetected = 0;
    for (size_t bit = 0; bit < bits; ++bit) {
      JournalFiles bad = files;
      (bad.*member)[bit / 8] = static_cast<char>((bad.*member)[bit / 8] ^ (1 << (bit % 8)));
      if (VerifyJournal(bad, options).ok()) {
        ++undetected;
        MESSAGE("undetected flip at byte " << bit / 8 << " bit " << bit % 8);
      }
    }
    CHECK(undetected == 0);
    MESSAGE(bits << " flips, all detected");
  }
}
