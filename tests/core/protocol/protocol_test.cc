#include <doctest/doctest.h>

#include "core/protocol/frame.h"
#include "core/protocol/messages.h"

using namespace daybook;
using namespace daybook::protocol;

TEST_CASE("frames: round trip, split delivery, several per read") {
  std::string a = EncodeFrame({{"type", "hello"}, {"protocols", {1}}});
  std::string b = EncodeFrame({{"type", "facts"}});
  CHECK(a.substr(0, 4) == std::string("\0\0\0\x20", 4));  // {"protocols":[1],"type":"hello"} is 32 bytes
  FrameDecoder decoder;
  std::string both = a + b;
  for (char c : both.substr(0, 10)) decoder.Feed(std::string_view(&c, 1));  // byte by byte
  CHECK_FALSE(decoder.Next().has_value());
  decoder.Feed(both.substr(10));
  auto first = decoder.Next();
  REQUIRE(first.has_value());
  REQUIRE(first->ok());
  CHECK((**first)["type"] == "hello");
  auto second = decoder.Next();
  REQUIRE(second.has_value());
  CHECK((**second)["type"] == "facts");
  CHECK_FALSE(decoder.Next().has_value());
}

TEST_CASE("frames: oversize lengths are refused from the prefix alone") {
  FrameDecoder decoder(1024);
  decoder.Feed(std::string("\x7f\xff\xff\xff", 4));
  auto frame = decoder.Next();
  REQUIRE(frame.has_value());
  REQUIRE_FALSE(frame->ok());
  CHECK(frame->error().message.find("exceeds the limit of 1024") != std::string::npos);
  CHECK(decoder.buffered() == 4);  // nothing more was buffered or expected
  CHECK_FALSE(decoder.Next()->ok());  // the stream stays failed
}

TEST_CASE("frames: malformed, non-object, untyped and too deep") {
  auto decode = [](const std::string& body) {
    FrameDecoder decoder;
    auto n = static_cast<uint32_t>(body.size());
    decoder.Feed(std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)} + body);
    return *decoder.Next();
  };
  CHECK(decode("{\"type\":\"facts\"}").ok());
  CHECK(decode("{bad").error().message.find("malformed frame") == 0);
  CHECK_FALSE(decode("[1,2]").ok());
  CHECK_FALSE(decode("{\"no\":\"type\"}").ok());
  CHECK(decode(std::string(40, '[') + std::string(40, ']')).error().message.find("nests deeper") != std::string::npos);
  CHECK(MeasureJson("{\"a\":\"[[[[\",\"b\":[{}]}").depth == 3);  // brackets inside strings do not count
}

TEST_CASE("responses: signed by the host key, forged ones rejected") {
  crypto::Ed25519Key host = *crypto::Ed25519Key::Generate(), other = *crypto::Ed25519Key::Generate();
  Json body = {{"type", "facts"}, {"facts", {{"kernel", "6.1"}}}};
  Json signed_frame = SignResponse(body, host);
  CHECK(*OpenResponse(signed_frame, host.public_key()) == body);
  CHECK_FALSE(OpenResponse(signed_frame, other.public_key()).ok());   // another host's key
  Json forged = signed_frame;
  forged["body"]["facts"]["kernel"] = "6.2";                          // altered in transit
  CHECK_FALSE(OpenResponse(forged, host.public_key()).ok());
  CHECK_FALSE(OpenResponse(SignResponse(body, other), host.public_key()).ok());  // signed by an impostor
  CHECK_FALSE(OpenResponse(body, host.public_key()).ok());            // unsigned
  Json bad_sig = signed_frame;
  bad_sig["sig"] = "!!";
  CHECK_FALSE(OpenResponse(bad_sig, host.public_key()).ok());
}

TEST_CASE("hello: version negotiation") {
  CHECK(NegotiateVersion(HelloRequest("t")) == 1);
  CHECK_FALSE(NegotiateVersion({{"type", "hello"}, {"protocols", {2, 3}}}).has_value());
  CHECK_FALSE(NegotiateVersion({{"type", "hello"}}).has_value());
}

TEST_CASE("frames: a frame of many tiny values is refused before it is parsed") {
  std::string many = "{\"type\":\"facts\",\"x\":[";
  for (int i = 0; i < 300000; ++i) many += i == 0 ? "{}" : ",{}";
  many += "]}";
  daybook::protocol::FrameDecoder decoder;
  decoder.Feed(daybook::protocol::EncodeFrame(daybook::protocol::Json::parse("{\"type\":\"hello\"}")));
  std::string n(4, '\0');
  auto size = static_cast<uint32_t>(many.size());
  for (int i = 0; i < 4; ++i) n[static_cast<size_t>(i)] = static_cast<char>(size >> (24 - 8 * i));
  decoder.Feed(n + many);
  REQUIRE(decoder.Next().value().ok());
  std::optional<daybook::Result<daybook::protocol::Json>> refused = decoder.Next();
  REQUIRE(refused.has_value());
  REQUIRE_FALSE(refused->ok());
  CHECK(refused->error().message.find("more than 200000 values") != std::string::npos);
}
