// A streaming check of a git packfile before libgit2 sees it: a pack of a
// few megabytes can hold an object that inflates to gigabytes (a "zip
// bomb"), and libgit2's indexer holds whole objects in memory. The scanner
// walks the pack format (gitformat-pack(5): "PACK", version 2 or 3, object
// count; per object a type-and-size header, an OFS_DELTA offset or a
// REF_DELTA base id, then a zlib stream; a 20-byte trailer) and inflates
// each object into a fixed scratch buffer, counting bytes, so that:
//   - no object's declared size, and no delta's result size, exceeds
//     `max_object` bytes;
//   - no zlib stream inflates to more than its object's declared size;
//   - the pack holds no more than its header's object count, and that
//     count is at most `max_objects` (each costs the indexer memory);
//   - the sum of every object's inflated size and every delta's result
//     size is at most `max_inflated`: resolving deltas costs CPU in
//     proportion to what they produce, so a chain of small deltas each
//     rebuilding a large object is bounded too.
// Memory stays fixed (one 64 KiB buffer and a zlib state) whatever the pack.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace daybook::repo {

struct PackLimits {
  uint64_t max_object = 256ull << 20;    // inflated bytes of one object (or a delta's result)
  uint64_t max_inflated = 2ull << 30;    // inflated bytes of all objects and delta results together
  uint64_t max_objects = 1'000'000;      // objects in one pack
};

class PackScanner {
 public:
  explicit PackScanner(PackLimits limits);
  ~PackScanner();
  PackScanner(const PackScanner&) = delete;
  PackScanner& operator=(const PackScanner&) = delete;

  // Checks the next piece of the pack. An error (kInvalidInput) is final:
  // the pack must be refused.
  Status Feed(std::string_view bytes);

  // After the last piece: is the pack complete (every object and the trailer)?
  Status Finish() const;

  uint64_t objects_seen() const { return objects_seen_; }

 private:
  enum class Stage { kHeader, kObjectHeader, kDeltaOffset, kDeltaBase, kData, kTrailer, kDone };
  Status Step(std::string_view& bytes);
  Status StartObject();
  Status Inflate(std::string_view& bytes);
  Status CheckDeltaHead(size_t produced);
  Status Count(uint64_t bytes);
  Status Fail(std::string message);

  PackLimits limits_;
  Stage stage_ = Stage::kHeader;
  std::string pending_;          // bytes of a header not yet complete
  uint64_t object_count_ = 0;
  uint64_t objects_seen_ = 0;
  int type_ = 0;
  uint64_t declared_ = 0;        // the current object's inflated size
  uint64_t inflated_ = 0;        // inflated so far
  uint64_t total_ = 0;           // declared sizes and delta results of the pack so far
  std::string delta_head_;       // first inflated bytes of a delta (its two sizes)
  bool delta_checked_ = false;
  bool failed_ = false;
  struct Zlib;
  std::unique_ptr<Zlib> zlib_;
};

}  // namespace daybook::repo
