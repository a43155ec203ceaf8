// The agent's request parsing: every wrongly typed or out-of-range field is
// a positioned error, never an exception.
#include "agent/requests.h"

#include <doctest/doctest.h>

using namespace daybook;
using namespace daybook::agent;
using protocol::Json;

TEST_CASE("requests: deploy.status with a wrongly typed field is an error naming it") {
  Result<StatusRequest> drift = ParseStatusRequest(Json::parse(R"({"type":"deploy.status","drift":"yes"})"));
  REQUIRE_FALSE(drift.ok());
  CHECK(drift.error().message == "deploy.status.drift: expected a boolean, got a string");
  CHECK(ParseStatusRequest(Json::parse(R"({"deploys":[{"name":7}]})")).error().message ==
        "deploy.status.deploys[0].name: expected a string, got an integer");
  CHECK_FALSE(ParseStatusRequest(Json::parse(R"({"deploys":{"name":"app"}})")).ok());
  CHECK_FALSE(ParseStatusRequest(Json::parse(R"({"deploys":["app"]})")).ok());
  Result<StatusRequest> ok = ParseStatusRequest(Json::parse(R"({"deploys":[{"name":"app","path":"/srv/app"}],"drift":true})"));
  REQUIRE(ok.ok());
  CHECK(ok->drift);
  CHECK(ok->deploys.size() == 1);
}

TEST_CASE("requests: apply fields are typed and bounded") {
  Json good = Json::parse(R"({"type":"apply","intervention":"01J0","deploys":[
      {"name":"app","path":"/srv/app","commit":"abc","keep":5,"after":["true"],"timeout_ms":600000}]})");
  Result<ApplyRequest> ok = ParseApplyRequest(good);
  REQUIRE(ok.ok());
  CHECK(ok->deploys[0].timeout == std::chrono::minutes(10));
  CHECK_FALSE(ok->patch.has_value());

  auto error_of = [&](const char* pointer, Json value) {
    Json bad = good;
    bad[Json::json_pointer(pointer)] = std::move(value);
    Result<ApplyRequest> parsed = ParseApplyRequest(bad);
    REQUIRE_FALSE(parsed.ok());
    return parsed.error().message;
  };
  // A timeout that would overflow a clock is refused, not cut to milliseconds.
  CHECK(error_of("/deploys/0/timeout_ms", Json(int64_t{9'000'000'000'000'000'000})).find("timeout_ms: 9000000000000000000 is out of range") !=
        std::string::npos);
  CHECK(error_of("/deploys/0/timeout_ms", Json(uint64_t{18'446'744'073'709'551'615u})).find("out of range") != std::string::npos);
  CHECK(error_of("/deploys/0/timeout_ms", 0).find("out of range") != std::string::npos);
  CHECK(error_of("/deploys/0/timeout_ms", "10m") == "apply.deploys[0].timeout_ms: expected an integer, got a string");
  CHECK(error_of("/deploys/0/keep", 5000000000).find("keep: 5000000000 is out of range") != std::string::npos);
  CHECK(error_of("/deploys/0/after", Json::array({1})) == "apply.deploys[0].after[0]: expected a string, got an integer");
  CHECK(error_of("/deploys/0/name", nullptr) == "apply.deploys[0].name: missing");
  CHECK(error_of("/intervention", "../../etc/passwd").find("bad intervention id") != std::string::npos);
  CHECK(error_of("/intervention", 42) == "apply.intervention: expected a string, got an integer");
  CHECK(error_of("/deploys", "all") == "apply.deploys: expected an array, got a string");
  CHECK(error_of("/patch", "security") == "apply.patch: expected an object, got a string");
  CHECK(error_of("/patch", Json::parse(R"({"policy":"security","reboot":"sometimes"})")).find("reboot") != std::string::npos);
  CHECK(error_of("/patch", Json::parse(R"({"policy":"security","exclude":"linux-*"})")) ==
        "apply.patch.exclude: expected an array, got a string");
  CHECK(error_of("/patch", Json::parse(R"({"policy":"security","allow_other_origins":"no"})")) ==
        "apply.patch.allow_other_origins: expected a boolean, got a string");
}

TEST_CASE("requests: patch and rollback") {
  Result<PatchSpec> patch = ParsePatchSpec(Json::parse(R"({"policy":"all","exclude":["linux-*"],"reboot":"always"})"), "p");
  REQUIRE(patch.ok());
  CHECK(patch->request.policy == "all");
  CHECK(patch->reboot == "always");
  // "none": a reboot-only intervention (no package touched).
  Result<PatchSpec> reboot_only = ParsePatchSpec(Json::parse(R"({"policy":"none","reboot":"always"})"), "p");
  REQUIRE(reboot_only.ok());
  CHECK(reboot_only->request.policy == "none");
  CHECK(ParsePatchSpec(Json::parse(R"({"policy":"some"})"), "p").error().message ==
        "patch policy must be security, all or none, not \"some\"");
  CHECK_FALSE(ParsePatchSpec(Json("security"), "p").ok());
  Result<RollbackRequest> rollback = ParseRollbackRequest(Json::parse(R"({"intervention":"01J","name":"app"})"));
  REQUIRE(rollback.ok());
  CHECK(rollback->to.empty());
  CHECK(ParseRollbackRequest(Json::parse(R"({"intervention":"01J","name":"app","to":5})")).error().message ==
        "deploy.rollback.to: expected a string, got an integer");
}
