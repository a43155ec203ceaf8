// apt-get -s output, as recorded from apt 2.6 (notes/apt-sandbox.md §4-5).
#include <doctest/doctest.h>

#include "agent/pkg/apt_simulation.h"

namespace daybook::agent {
namespace {

constexpr const char* kUpgrade = R"(NOTE: This is only a simulation!
      apt-get needs root privileges for real execution.
      Keep also in mind that locking is deactivated,
      so don't depend on the relevance to the real current situation!
Reading package lists...
Building dependency tree...
Calculating upgrade...
The following packages have been kept back:
  demo-app
The following packages will be upgraded:
  demo-reboot demo-tool libdemo
3 upgraded, 0 newly installed, 0 to remove and 1 not upgraded.
Inst demo-reboot [1.0-1] (1.0-2 Demo-Security:bookworm-security [amd64])
Inst demo-tool [1.0-1] (1.1-1 Demo:bookworm [amd64])
Inst libdemo [1.0-1] (1.0-2 Demo-Security:bookworm-security [amd64])
Conf demo-reboot (1.0-2 Demo-Security:bookworm-security [amd64])
Conf demo-tool (1.1-1 Demo:bookworm [amd64])
Conf libdemo (1.0-2 Demo-Security:bookworm-security [amd64])
)";

constexpr const char* kOnlyUpgrade = R"(The following NEW packages will be installed:
  demo-newdep
Inst libdemo [1.0-1] (1.0-2 Demo-Security:bookworm-security [amd64])
Inst demo-newdep (1.0-1 Demo:bookworm [amd64])
Inst demo-app [2.0-1] (2.0-2 Demo-Security:bookworm-security [amd64])
Inst openssl [3.0.14-1~deb12u2] (3.0.15-1~deb12u1 Debian-Security:12/stable-security, Debian:12.8/stable [amd64])
Remv old-thing [0.9]
Skipping demo-newdep, it is not installed and only upgrades are requested.
)";

TEST_CASE("apt simulation: Inst lines, kept-back packages, new packages, releases by suite") {
  Result<AptSimulation> sim = ParseAptSimulation(kUpgrade);
  REQUIRE(sim);
  CHECK(sim->kept_back == std::vector<std::string>{"demo-app"});
  REQUIRE(sim->installs.size() == 3);
  const AptChange& reboot = sim->installs[0];
  CHECK(reboot.name == "demo-reboot");
  CHECK(reboot.from == "1.0-1");
  CHECK(reboot.to == "1.0-2");
  CHECK(reboot.arch == "amd64");
  REQUIRE(reboot.releases.size() == 1);
  CHECK(reboot.releases[0].label == "Demo-Security");
  CHECK(reboot.releases[0].suite == "bookworm-security");
  std::vector<std::string> security = {"*-security"};
  CHECK(FromSuiteMatching(reboot, security));
  CHECK_FALSE(FromSuiteMatching(sim->installs[1], security));

  Result<AptSimulation> only = ParseAptSimulation(kOnlyUpgrade);
  REQUIRE(only);
  REQUIRE(only->installs.size() == 4);
  CHECK(only->installs[1].name == "demo-newdep");
  CHECK(only->installs[1].from.empty());  // a new dependency
  const AptChange& openssl = only->installs[3];
  REQUIRE(openssl.releases.size() == 2);
  CHECK(openssl.releases[0].label == "Debian-Security");
  CHECK(openssl.releases[0].suite == "stable-security");  // "Label:Version/Suite"
  CHECK(openssl.releases[1].suite == "stable");
  CHECK(FromSuiteMatching(openssl, security));
  CHECK(only->removals == std::vector<std::string>{"old-thing"});
  CHECK(only->skipped == std::vector<std::string>{"demo-newdep"});
}

TEST_CASE("apt simulation: an unreadable Inst line is an error, not a guess") {
  Result<AptSimulation> sim = ParseAptSimulation("Inst libdemo [1.0-1] 1.0-2 something else\n");
  REQUIRE_FALSE(sim);
  CHECK(sim.error().message.find("unreadable apt-get line: Inst libdemo") == 0);
  CHECK_FALSE(ParseAptSimulation("Inst libdemo (1.0-2 [amd64])\n"));
  // A release with no Label is printed as its bare suite.
  Result<AptSimulation> bare = ParseAptSimulation("Inst x [1] (2 bookworm-security [amd64])\n");
  REQUIRE(bare);
  CHECK(bare->installs[0].releases[0].label.empty());
  CHECK(bare->installs[0].releases[0].suite == "bookworm-security");
}

}  // namespace
}  // namespace daybook::agent
