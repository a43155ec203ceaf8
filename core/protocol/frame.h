// Frames between controller and agent: a 4-byte big-endian length, then one
// canonical JSON object. The decoder enforces a size cap (checked on the
// length prefix, before anything is buffered), a nesting cap and a cap on
// the number of JSON values (checked by a scan before parsing: a parsed
// value costs tens of bytes, so 8 MiB of "[{},{},...]" would otherwise cost
// gigabytes), so a hostile peer cannot make either side allocate or recurse
// without bound.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/journal/canonical.h"

namespace daybook::protocol {

using Json = journal::Json;

constexpr uint32_t kDefaultMaxFrame = 8u << 20;  // 8 MiB
constexpr int kMaxNesting = 32;
constexpr size_t kMaxValues = 200'000;  // JSON values (objects, arrays, scalars) in one frame

std::string EncodeFrame(const Json& message);

// Incremental decoder. Feed bytes as they arrive; Next() yields whole frames.
class FrameDecoder {
 public:
  explicit FrameDecoder(uint32_t max_frame = kDefaultMaxFrame) : max_frame_(max_frame) {}

  void Feed(std::string_view bytes) { buffer_.append(bytes); }

  // nullopt: need more bytes. An error is final for this stream: an
  // oversize length, invalid JSON, a non-object, nesting too deep.
  std::optional<Result<Json>> Next();

  size_t buffered() const { return buffer_.size(); }

 private:
  uint32_t max_frame_;
  std::string buffer_;
  bool failed_ = false;
};

// Depth of the deepest array/object nesting of `json` text (outside strings),
// and an upper bound on the number of values it holds.
struct JsonExtent {
  int depth = 0;
  size_t values = 0;
};
JsonExtent MeasureJson(std::string_view json);

}  // namespace daybook::protocol
