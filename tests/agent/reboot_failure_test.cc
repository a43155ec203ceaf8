// The failed-reboot record: kept with its boot id, shown only in that boot.
#include "agent/reboot_failure.h"

#include <doctest/doctest.h>

#include <fstream>

#include "tests/testing.h"

namespace daybook::agent {

TEST_CASE("reboot failure: kept with its boot id, current only in that boot, cleared by the next try") {
  testing::TempDir tmp;
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();
  CHECK_FALSE(CurrentRebootFailure(*fs, tmp.path, "boot-1"));
  REQUIRE(RecordRebootFailure(*fs, tmp.path, "I-1", "boot-1", "reboot command exit 3: no\xff"));
  std::optional<protocol::Json> now = CurrentRebootFailure(*fs, tmp.path, "boot-1");
  REQUIRE(now);
  CHECK((*now)["intervention"] == "I-1");
  CHECK((*now)["error"] == "reboot command exit 3: no\\xFF");  // invalid UTF-8 escaped: the record stays JSON
  // The host rebooted later (another boot id): the failure is over.
  CHECK_FALSE(CurrentRebootFailure(*fs, tmp.path, "boot-2"));
  CHECK_FALSE(CurrentRebootFailure(*fs, tmp.path, ""));
  ClearRebootFailure(*fs, tmp.path);
  CHECK_FALSE(CurrentRebootFailure(*fs, tmp.path, "boot-1"));
  // A damaged file is no failure, not a crash.
  std::ofstream(RebootFailurePath(tmp.path)) << "{\"intervention\": 3, ";
  CHECK_FALSE(CurrentRebootFailure(*fs, tmp.path, "boot-1"));
}

}  // namespace daybook::agent
