// apt-get -s output, as recorded from apt 2.6 (notes/apt-sandbox.md §4-5).
#include <doctest/doctest.h>

#include "agent/pkg/apt_origins.h"
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
  CHECK(only->removals == std::vector<std::string>{"old-thing"});
  CHECK(only->skipped == std::vector<std::string>{"demo-newdep"});
}

TEST_CASE("apt simulation: an unreadable Inst line is an error, not a guess") {
  Result<AptSimulation> sim = ParseAptSimulation("Inst libdemo [1.0-1] 1.0-2 something else\n");
  REQUIRE_FALSE(sim);
  CHECK(sim.error().message.find("unreadable apt-get line: Inst libdemo") == 0);
  CHECK_FALSE(ParseAptSimulation("Inst libdemo (1.0-2 [amd64])\n"));
  // A "name" that reads as an option is never given back to apt-get.
  CHECK_FALSE(ParseAptSimulation("Inst -oDPkg::Pre-Invoke::=x [1.0-1] (1.0-2 Debian:stable [amd64])\n"));
  // A release with no Label is printed as its bare suite.
  Result<AptSimulation> bare = ParseAptSimulation("Inst x [1] (2 bookworm-security [amd64])\n");
  REQUIRE(bare);
  CHECK(bare->installs[0].releases[0].label.empty());
  CHECK(bare->installs[0].releases[0].suite == "bookworm-security");
}


// `apt-cache policy` as apt 2.6 prints it (trimmed): Debian's security
// archive, Debian's main archive, and a vendor whose suite also ends in
// "-security".
constexpr const char* kPolicy = R"(Package files:
 100 /var/lib/dpkg/status
     release a=now
 500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
     release v=12,o=Debian,a=stable-security,n=bookworm-security,l=Debian-Security,c=main,b=amd64
     origin deb.debian.org
 500 http://deb.debian.org/debian bookworm/main amd64 Packages
     release v=12.8,o=Debian,a=stable,n=bookworm,l=Debian,c=main,b=amd64
     origin deb.debian.org
 500 https://vendor.example vendor-security/main amd64 Packages
     release o=Vendor,a=vendor-security,n=vendor-security,l=Vendor,c=main,b=amd64
     origin vendor.example
Pinned packages:
)";

AptChange From(const std::string& label, const std::string& suite) {
  AptChange change;
  change.name = "pkg";
  change.to = "2";
  change.releases.push_back({label, suite});
  return change;
}

TEST_CASE("apt origins: the security releases are matched by origin, label and suite, as unattended-upgrades does") {
  std::vector<AptSource> sources = ParseAptPolicySources(kPolicy);
  REQUIRE(sources.size() == 4);
  CHECK(sources[1].origin == "Debian");
  CHECK(sources[1].label == "Debian-Security");
  CHECK(sources[1].archive == "stable-security");
  CHECK(sources[1].codename == "bookworm-security");
  std::vector<OriginPattern> defaults;
  for (const std::string& text : kDefaultSecurityOrigins) defaults.push_back(*ParseOriginPattern(text));
  // apt-get -s names the archive ("12/stable-security") or the codename.
  CHECK(IsFromOrigins(From("Debian-Security", "stable-security"), sources, defaults));
  CHECK(IsFromOrigins(From("Debian-Security", "bookworm-security"), sources, defaults));
  CHECK_FALSE(IsFromOrigins(From("Debian", "stable"), sources, defaults));
  // A vendor's "-security" suite is not Debian's security archive.
  CHECK_FALSE(IsFromOrigins(From("Vendor", "vendor-security"), sources, defaults));
  // ...unless the agent names it, in u-u's short keys too.
  std::vector<OriginPattern> vendor = {*ParseOriginPattern("o=Vendor,a=*-security")};
  CHECK(IsFromOrigins(From("Vendor", "vendor-security"), sources, vendor));
  CHECK_FALSE(IsFromOrigins(From("Debian-Security", "stable-security"), sources, vendor));
  // A release the policy does not list has no origin: never security.
  CHECK_FALSE(IsFromOrigins(From("Debian-Security", "trixie-security"), sources, defaults));
  // One matching release of several is enough.
  AptChange both = From("Debian", "stable");
  both.releases.push_back({"Debian-Security", "stable-security"});
  CHECK(IsFromOrigins(both, sources, defaults));
}

TEST_CASE("apt origins: a pattern with an unknown key or a part without a value is an error naming it") {
  CHECK(ParseOriginPattern("origin=Debian,label=Debian-Security"));
  Result<OriginPattern> unknown = ParseOriginPattern("origin=Debian,site=deb.debian.org");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message.find("unknown key \"site\"") == 0);
  Result<OriginPattern> bare = ParseOriginPattern("Debian-Security");
  REQUIRE_FALSE(bare);
  CHECK(bare.error().message.find("\"Debian-Security\" is not key=value") == 0);
  CHECK_FALSE(ParseOriginPattern(""));
}

}  // namespace
}  // namespace daybook::agent
