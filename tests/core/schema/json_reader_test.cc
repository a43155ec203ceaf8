#include "core/schema/json_reader.h"

#include <doctest/doctest.h>

namespace daybook::schema {
namespace {

TEST_CASE("JsonReader: wrong types are errors that name the field, never exceptions") {
  Json request = Json::parse(R"({"drift":"yes","keep":-1,"name":"app","deploys":[{"keep":"5"}],"big":18446744073709551615})");
  Result<JsonReader> r = JsonReader::Of(request, "deploy.status");
  REQUIRE(r);
  Result<bool> drift = r->Bool("drift", false);
  REQUIRE_FALSE(drift);
  CHECK(drift.error().message == "deploy.status.drift: expected a boolean, got a string");
  CHECK(r->Int("keep", 0, 100).error().message == "deploy.status.keep: -1 is out of range [0, 100]");
  CHECK_FALSE(r->Int("big", 0, 100));
  CHECK(*r->String("name") == "app");
  CHECK(r->String("missing").error().message == "deploy.status.missing: missing");
  CHECK(*r->String("missing", "dflt") == "dflt");
  CHECK(*r->Bool("absent", true));
  Result<const Json*> deploys = r->Array("deploys");
  REQUIRE(deploys);
  Result<JsonReader> first = r->Element(**deploys, 0, "deploys");
  REQUIRE(first);
  CHECK(first->Int("keep").error().message == "deploy.status.deploys[0].keep: expected an integer, got a string");
  CHECK_FALSE(r->Element(**deploys, 1, "deploys"));
  CHECK_FALSE(r->Object("name"));
  CHECK_FALSE(JsonReader::Of(Json::array(), "x"));
}

TEST_CASE("JsonReader: display reads never fail") {
  Json odd = Json::parse(R"({"status":7,"n":"x","ok":"true"})");
  CHECK(StringOr(odd, "status", "?") == "?");
  CHECK(IntOr(odd, "n", -1) == -1);
  CHECK_FALSE(BoolOr(odd, "ok"));
  CHECK(StringOr(Json("not an object"), "status", "?") == "?");
  CHECK(MemberOr(Json(nullptr), "x").is_null());
}

}  // namespace
}  // namespace daybook::schema
