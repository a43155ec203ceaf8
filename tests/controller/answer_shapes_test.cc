// Agent answers are checked once, when they arrive: a compromised agent's
// wrongly typed fields fail its host with a message, never an exception.
#include "controller/answer_shapes.h"

#include <doctest/doctest.h>

using namespace daybook;
using namespace daybook::controller;
using protocol::Json;

TEST_CASE("answer shapes: honest answers pass, absent optional keys become null") {
  Json status = Json::parse(R"({"type":"deploy.status","deploys":[{"name":"app","live":"abc",
      "drift":{"identical":true,"counts":{"modified":0,"added":0,"removed":0},"modified":[],"added":[],"removed":[]}}],
      "have":["abc"]})");
  REQUIRE(CheckAnswer(status).ok());
  CHECK(status["deploys"][0].contains("error"));
  CHECK(status["deploys"][0]["error"].is_null());
  Json facts = Json::parse(R"({"type":"facts","facts":{"hostname":"web-01"}})");
  REQUIRE(CheckAnswer(facts).ok());
  CHECK(facts["facts"]["boot_id"].is_null());
}

TEST_CASE("answer shapes: wrong types, unknown types and non-objects are refused") {
  struct Case {
    const char* answer;
    const char* message;
  };
  for (const Case& c : {
           Case{R"({"type":"deploy.status","deploys":"yes"})", "deploy.status.deploys: expected an array, got a string"},
           Case{R"({"type":"facts","facts":{"boot_id":7}})", "facts.facts.boot_id: expected a string, got an integer"},
           Case{R"({"type":"apply.result","intervention":5,"status":"ok","deploys":[]})",
                "apply.result.intervention: expected a string, got an integer"},
           Case{R"({"type":"apply.result","intervention":"x","status":"ok","deploys":[{"type":"deploy.result","name":"a","status":1}]})",
                "apply.result.deploys[0].status: expected a string, got an integer"},
           Case{R"({"type":"patch.plan","plan":{"changes":[{"name":1}]}})",
                "patch.plan.plan.changes[0].name: expected a string, got an integer"},
           Case{R"({"type":"patch.plan","plan":{"changes":[],"skipped":[]},"error":["x"]})",
                "patch.plan.error: expected a string, got an array"},
           Case{R"({"type":"patch.plan","plan":null,"error":"broken","findings":[{"kind":1,"message":"m"}]})",
                "patch.plan.findings[0].kind: expected a string, got an integer"},
           Case{R"({"type":"pack.ready","max_chunk":"big"})", "pack.ready.max_chunk: expected an integer, got a string"},
           Case{R"({"type":"error","code":404,"message":"x"})", "error.code: expected a string, got an integer"},
           Case{R"({"type":"surprise"})", "unexpected answer type \"surprise\""},
           Case{R"({"type":7})", "no \"type\""},
       }) {
    CAPTURE(c.answer);
    Json answer = Json::parse(c.answer);
    Status checked = CheckAnswer(answer);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().message.find(c.message) != std::string::npos);
  }
  Json not_object = Json::array();
  CHECK_FALSE(CheckAnswer(not_object).ok());
}

TEST_CASE("answer shapes: a float anywhere is refused (the journal holds integers only)") {
  Json answer = Json::parse(R"({"type":"facts","facts":{"hostname":"x"},"extra":0.5})");
  Status checked = CheckAnswer(answer);
  REQUIRE_FALSE(checked.ok());
  CHECK(checked.error().message.find("floating-point") != std::string::npos);
  Json huge = Json::parse(R"({"type":"facts","facts":{"uptime_s":1e400}})", nullptr, false);
  if (!huge.is_discarded()) CHECK_FALSE(CheckAnswer(huge).ok());
}

TEST_CASE("answer shapes: each request has its answer type") {
  CHECK(ExpectedAnswer(Json::parse(R"({"type":"facts"})")) == "facts");
  CHECK(ExpectedAnswer(Json::parse(R"({"type":"pack.begin"})")) == "pack.ready");
  CHECK(ExpectedAnswer(Json::parse(R"({"type":"apply"})")) == "apply.result");
  CHECK(ExpectedAnswer(Json::parse(R"({"type":"mystery"})")).empty());
}
