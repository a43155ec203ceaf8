// The pack scanner against packs written here byte by byte (zlib for the
// data), as a hostile controller would write them.
#include "core/repo/pack_scanner.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <string>

using namespace daybook;
using namespace daybook::repo;

namespace {

std::string Deflate(const std::string& data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  REQUIRE(compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
                    static_cast<uLong>(data.size()), 9) == Z_OK);
  out.resize(size);
  return out;
}

// Deflates `count` zero bytes in pieces, so a gigabyte costs no gigabyte.
std::string DeflateZeros(uint64_t count) {
  z_stream z{};
  REQUIRE(deflateInit(&z, 9) == Z_OK);
  std::string zeros(1 << 20, '\0'), out;
  unsigned char buf[1 << 16];
  uint64_t left = count;
  for (;;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(left, zeros.size()));
    left -= n;
    z.next_in = reinterpret_cast<Bytef*>(zeros.data());
    z.avail_in = static_cast<uInt>(n);
    int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    int rc = Z_OK;
    do {
      z.next_out = buf;
      z.avail_out = sizeof buf;
      rc = deflate(&z, flush);
      out.append(reinterpret_cast<char*>(buf), sizeof buf - z.avail_out);
    } while (z.avail_out == 0);
    if (flush == Z_FINISH && rc == Z_STREAM_END) break;
  }
  deflateEnd(&z);
  return out;
}

std::string Header(uint32_t count) {
  std::string h = "PACK";
  for (uint32_t v : {2u, count}) {
    for (int s = 24; s >= 0; s -= 8) h += static_cast<char>((v >> s) & 0xFF);
  }
  return h;
}

std::string ObjectHeader(int type, uint64_t size) {
  std::string h;
  auto first = static_cast<uint8_t>((static_cast<uint64_t>(type) << 4) | (size & 0x0F));
  size >>= 4;
  if (size != 0) first |= 0x80;
  h += static_cast<char>(first);
  while (size != 0) {
    auto b = static_cast<uint8_t>(size & 0x7F);
    size >>= 7;
    if (size != 0) b |= 0x80;
    h += static_cast<char>(b);
  }
  return h;
}

std::string Varint(uint64_t v) {
  std::string out;
  do {
    auto b = static_cast<uint8_t>(v & 0x7F);
    v >>= 7;
    if (v != 0) b |= 0x80;
    out += static_cast<char>(b);
  } while (v != 0);
  return out;
}

const std::string kTrailer(20, '\x5a');

Status FeedInPieces(PackScanner& scanner, const std::string& pack, size_t piece) {
  for (size_t at = 0; at < pack.size(); at += piece) {
    if (Status s = scanner.Feed(std::string_view(pack).substr(at, piece)); !s) return s;
  }
  return scanner.Finish();
}

}  // namespace

TEST_CASE("pack scanner: an honest pack passes, whatever the piece size") {
  std::string blob = "hello, world\n", tree_like(5000, 'x');
  std::string delta = Varint(13) + Varint(3) + "\x03" "abc";
  std::string pack = Header(3) + ObjectHeader(3, blob.size()) + Deflate(blob) + ObjectHeader(2, tree_like.size()) +
                     Deflate(tree_like) + ObjectHeader(7, delta.size()) + std::string(20, '\x01') + Deflate(delta) +
                     kTrailer;
  for (size_t piece : {1u, 7u, 64u, 100000u}) {
    CAPTURE(piece);
    PackScanner scanner({1 << 20});
    CHECK(FeedInPieces(scanner, pack, piece).ok());
    CHECK(scanner.objects_seen() == 3);
  }
}

TEST_CASE("pack scanner: a 1 GiB blob in a small pack is refused from its header") {
  std::string bomb = DeflateZeros(1ull << 30);
  CHECK(bomb.size() < (2u << 20));  // about 1 MB on the wire
  std::string pack = Header(1) + ObjectHeader(3, 1ull << 30) + bomb + kTrailer;
  PackScanner scanner({256ull << 20});
  Status fed = FeedInPieces(scanner, pack, 1 << 20);
  REQUIRE_FALSE(fed.ok());
  CHECK(fed.error().message.find("inflates to 1073741824 bytes, more than the 268435456 bytes allowed") != std::string::npos);
}

TEST_CASE("pack scanner: an object that lies about its size is refused while inflating") {
  std::string bomb = DeflateZeros(64ull << 20);
  std::string pack = Header(1) + ObjectHeader(3, 100) + bomb + kTrailer;
  PackScanner scanner({256ull << 20});
  Status fed = FeedInPieces(scanner, pack, 1 << 16);
  REQUIRE_FALSE(fed.ok());
  CHECK(fed.error().message.find("inflates past its declared 100 bytes") != std::string::npos);
}

TEST_CASE("pack scanner: a delta whose result is huge is refused") {
  std::string delta = Varint(10) + Varint(1ull << 33) + "\x01" "a";
  std::string pack = Header(1) + ObjectHeader(6, delta.size()) + Varint(12) + Deflate(delta) + kTrailer;
  PackScanner scanner({1 << 20});
  Status fed = FeedInPieces(scanner, pack, 3);
  REQUIRE_FALSE(fed.ok());
  CHECK(fed.error().message.find("delta 0 produces 8589934592 bytes") != std::string::npos);
}

TEST_CASE("pack scanner: malformed packs are refused, never crash") {
  auto refused = [](const std::string& pack) {
    PackScanner scanner({1 << 20});
    return !FeedInPieces(scanner, pack, 5).ok();
  };
  CHECK(refused("JUNK" + std::string(8, '\0')));
  CHECK(refused(Header(1).replace(7, 1, "\x09")));                                   // version 9
  CHECK(refused(Header(1) + std::string("\x00", 1) + Deflate("x") + kTrailer));      // type 0
  CHECK(refused(Header(1) + ObjectHeader(3, 1) + "not zlib at all" + kTrailer));      // corrupt data
  CHECK(refused(Header(1) + std::string(20, '\xff') + kTrailer));                    // endless size varint
  CHECK(refused(Header(2) + ObjectHeader(3, 1) + Deflate("x") + kTrailer));           // truncated: 1 of 2
  CHECK(refused(Header(1) + ObjectHeader(3, 2) + Deflate("x") + kTrailer));           // shorter than declared
  CHECK(refused(Header(0) + kTrailer + "extra"));                                     // data after the trailer
}

TEST_CASE("pack scanner: a chain of small deltas that rebuild a large object is bounded in total") {
  // One 32 MiB blob, then deltas of a few bytes each producing 32 MiB more:
  // each is within max_object, their sum is not.
  uint64_t big = 32ull << 20;
  std::string pack = Header(9) + ObjectHeader(3, big) + DeflateZeros(big);
  for (int i = 0; i < 8; ++i) {
    std::string delta = Varint(big) + Varint(big) + "\x90\x80\x80\x80\x02";  // copy 32 MiB from the base
    pack += ObjectHeader(7, delta.size()) + std::string(20, static_cast<char>(i)) + Deflate(delta);
  }
  pack += kTrailer;
  PackScanner scanner({256ull << 20, 128ull << 20, 1000});
  Status fed = FeedInPieces(scanner, pack, 1 << 16);
  REQUIRE_FALSE(fed.ok());
  CHECK(fed.error().message.find("max_pack_inflated") != std::string::npos);
  PackScanner roomy({256ull << 20, 1ull << 30, 1000});
  CHECK(FeedInPieces(roomy, pack, 1 << 16).ok());
}

TEST_CASE("pack scanner: the object count is bounded from the header") {
  PackScanner scanner({1 << 20, 1 << 30, 1000});
  Status fed = scanner.Feed(Header(500000));
  REQUIRE_FALSE(fed.ok());
  CHECK(fed.error().message.find("500000 objects, more than the 1000 allowed (max_pack_objects)") != std::string::npos);
}
