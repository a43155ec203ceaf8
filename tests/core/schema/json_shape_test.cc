#include "core/schema/json_shape.h"

#include <doctest/doctest.h>

namespace daybook::schema {
namespace {

TEST_CASE("ContainsFloat: finds a float at any depth, without recursion") {
  CHECK_FALSE(ContainsFloat(Json::parse(R"({"a":[1,2,{"b":-3}],"c":"1.5"})")));
  CHECK(ContainsFloat(Json::parse(R"({"a":[1,2,{"b":1.5}]})")));
  CHECK(ContainsFloat(Json(0.0)));
  // Deeper than any recursion guard the callers had (64): still found.
  Json deep = Json::array({2.5});
  for (int i = 0; i < 10000; ++i) deep = Json::array({std::move(deep)});
  CHECK(ContainsFloat(deep));
  Json deep_int = Json::array({7});
  for (int i = 0; i < 10000; ++i) deep_int = Json::object({{"k", std::move(deep_int)}});
  CHECK_FALSE(ContainsFloat(deep_int));
}

TEST_CASE("CheckShape: names the first place that does not fit") {
  Json shape = Json::parse(R"({"name":"string","keep":"integer?","deploys":[{"status":"string"}]})");
  CHECK(CheckShape(Json::parse(R"({"name":"a","deploys":[{"status":"ok"}]})"), shape, "doc").ok());
  Status bad = CheckShape(Json::parse(R"({"name":"a","deploys":[{"status":1}]})"), shape, "doc");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "doc.deploys[0].status: expected a string, got an integer");
}

}  // namespace
}  // namespace daybook::schema
