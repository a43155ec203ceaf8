#include "core/protocol/frame.h"

#include "core/base/text.h"

namespace daybook::protocol {

std::string EncodeFrame(const Json& message) {
  std::string body = journal::Canonical(message);
  auto n = static_cast<uint32_t>(body.size());
  std::string out{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                  static_cast<char>(n)};
  return out + body;
}

JsonExtent MeasureJson(std::string_view json) {
  JsonExtent extent;
  int depth = 0;
  bool in_string = false, escaped = false;
  // Every value but the first follows a ',' or a '[' / ':': counting those
  // (outside strings) bounds the number of values from above.
  extent.values = 1;
  for (char c : json) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') extent.depth = std::max(extent.depth, ++depth);
    if (c == '}' || c == ']') --depth;
    if (c == ',' || c == '[' || c == ':') ++extent.values;
  }
  return extent;
}


std::optional<Result<Json>> FrameDecoder::Next() {
  if (failed_) return Result<Json>(MakeError(ErrorCode::kInvalidInput, "stream already failed"));
  if (buffer_.size() < 4) return std::nullopt;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = n << 8 | static_cast<uint8_t>(buffer_[static_cast<size_t>(i)]);
  if (n > max_frame_) {
    failed_ = true;
    return Result<Json>(MakeError(ErrorCode::kInvalidInput, "frame of " + std::to_string(n) +
                                                                " bytes exceeds the limit of " + std::to_string(max_frame_)));
  }
  if (buffer_.size() < 4 + static_cast<size_t>(n)) return std::nullopt;
  std::string_view body = std::string_view(buffer_).substr(4, n);
  JsonExtent extent = MeasureJson(body);
  if (extent.depth > kMaxNesting) {
    failed_ = true;
    return Result<Json>(MakeError(ErrorCode::kInvalidInput, "frame nests deeper than " + std::to_string(kMaxNesting)));
  }
  if (extent.values > kMaxValues) {
    failed_ = true;
    return Result<Json>(MakeError(ErrorCode::kInvalidInput, "frame holds more than " + std::to_string(kMaxValues) + " values"));
  }
  Json message;
  try {
    message = Json::parse(body);
    buffer_.erase(0, 4 + static_cast<size_t>(n));
  } catch (const Json::exception& e) {
    failed_ = true;
    // e.what() quotes the offending bytes: escaped, they are safe to send and log.
    return Result<Json>(MakeError(ErrorCode::kInvalidInput, "malformed frame: " + ReadableText(e.what())));
  }
  if (!message.is_object() || !message.contains("type") || !message["type"].is_string()) {
    failed_ = true;
    return Result<Json>(MakeError(ErrorCode::kInvalidInput, "a frame must be an object with a \"type\""));
  }
  return Result<Json>(std::move(message));
}

}  // namespace daybook::protocol
