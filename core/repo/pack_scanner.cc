#include "core/repo/pack_scanner.h"

#include <zlib.h>

#include <array>

namespace daybook::repo {
namespace {

constexpr int kOfsDelta = 6;
constexpr int kRefDelta = 7;
constexpr size_t kHashSize = 20;       // SHA-1 packs (what libgit2 1.5 writes and reads)
constexpr size_t kMaxHeaderBytes = 16;  // a size varint longer than this overflows 64 bits

std::string Size(uint64_t n) { return std::to_string(n) + " bytes"; }

// A delta starts with two varints: the base size, then the result size.
// Returns false while more bytes are needed; sets `result`.
bool DeltaResultSize(std::string_view head, uint64_t& result, bool& malformed) {
  size_t i = 0;
  for (int which = 0; which < 2; ++which) {
    uint64_t value = 0;
    int shift = 0;
    for (;;) {
      if (i >= head.size()) return false;
      auto byte = static_cast<uint8_t>(head[i++]);
      if (shift > 63) {
        malformed = true;
        return true;
      }
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      shift += 7;
      if ((byte & 0x80) == 0) break;
    }
    if (which == 1) result = value;
  }
  return true;
}

}  // namespace

struct PackScanner::Zlib {
  z_stream stream{};
  bool open = false;
  std::array<unsigned char, 1 << 16> scratch{};
  ~Zlib() {
    if (open) inflateEnd(&stream);
  }
};

PackScanner::PackScanner(PackLimits limits) : limits_(limits), zlib_(std::make_unique<Zlib>()) {}
PackScanner::~PackScanner() = default;

Status PackScanner::Fail(std::string message) {
  failed_ = true;
  return MakeError(ErrorCode::kInvalidInput, "pack refused: " + std::move(message));
}

Status PackScanner::Feed(std::string_view bytes) {
  if (failed_) return MakeError(ErrorCode::kInvalidInput, "pack refused earlier");
  while (!bytes.empty()) {
    if (Status s = Step(bytes); !s) return s;
  }
  return OkStatus();
}

Status PackScanner::Finish() const {
  if (failed_) return MakeError(ErrorCode::kInvalidInput, "pack refused earlier");
  if (stage_ != Stage::kDone) {
    return MakeError(ErrorCode::kInvalidInput, "pack truncated after " + std::to_string(objects_seen_) + " of " +
                                                   std::to_string(object_count_) + " objects");
  }
  return OkStatus();
}

// Consumes what it can of `bytes` for the current stage.
Status PackScanner::Step(std::string_view& bytes) {
  switch (stage_) {
    case Stage::kHeader: {
      size_t take = std::min(bytes.size(), 12 - pending_.size());
      pending_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      if (pending_.size() < 12) return OkStatus();
      auto u32 = [&](size_t at) {
        uint32_t v = 0;
        for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<uint8_t>(pending_[at + i]);
        return v;
      };
      if (pending_.compare(0, 4, "PACK") != 0) return Fail("not a git pack (no PACK signature)");
      if (u32(4) != 2 && u32(4) != 3) return Fail("unsupported pack version " + std::to_string(u32(4)));
      object_count_ = u32(8);
      if (object_count_ > limits_.max_objects) {
        return Fail("the pack holds " + std::to_string(object_count_) + " objects, more than the " +
                    std::to_string(limits_.max_objects) + " allowed (max_pack_objects)");
      }
      pending_.clear();
      stage_ = object_count_ == 0 ? Stage::kTrailer : Stage::kObjectHeader;
      return OkStatus();
    }
    case Stage::kObjectHeader: {
      // Type and size: the first byte has 4 size bits, each next one 7.
      while (!bytes.empty()) {
        pending_ += bytes.front();
        bytes.remove_prefix(1);
        if ((static_cast<uint8_t>(pending_.back()) & 0x80) == 0) break;
        if (pending_.size() >= kMaxHeaderBytes) return Fail("object header too long");
      }
      if (pending_.empty() || (static_cast<uint8_t>(pending_.back()) & 0x80) != 0) return OkStatus();
      auto first = static_cast<uint8_t>(pending_[0]);
      type_ = (first >> 4) & 7;
      uint64_t size = first & 0x0F;
      int shift = 4;
      for (size_t i = 1; i < pending_.size(); ++i, shift += 7) {
        if (shift > 57) return Fail("object size overflows");
        size |= static_cast<uint64_t>(static_cast<uint8_t>(pending_[i]) & 0x7F) << shift;
      }
      pending_.clear();
      declared_ = size;
      if (type_ == 0 || type_ == 5) return Fail("object " + std::to_string(objects_seen_) + " has an invalid type");
      if (size > limits_.max_object) {
        return Fail("object " + std::to_string(objects_seen_) + " inflates to " + Size(size) + ", more than the " +
                    Size(limits_.max_object) + " allowed (max_object_size)");
      }
      // A delta's declared size is its instructions; what it produces is
      // counted once its header is inflated (CheckDeltaHead).
      if (Status s = Count(size); !s) return s;
      stage_ = type_ == kOfsDelta ? Stage::kDeltaOffset : type_ == kRefDelta ? Stage::kDeltaBase : Stage::kData;
      if (stage_ == Stage::kData) return StartObject();
      return OkStatus();
    }
    case Stage::kDeltaOffset:
      while (!bytes.empty()) {
        pending_ += bytes.front();
        bytes.remove_prefix(1);
        if ((static_cast<uint8_t>(pending_.back()) & 0x80) == 0) {
          pending_.clear();
          stage_ = Stage::kData;
          return StartObject();
        }
        if (pending_.size() >= kMaxHeaderBytes) return Fail("delta offset too long");
      }
      return OkStatus();
    case Stage::kDeltaBase: {
      size_t take = std::min(bytes.size(), kHashSize - pending_.size());
      pending_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      if (pending_.size() < kHashSize) return OkStatus();
      pending_.clear();
      stage_ = Stage::kData;
      return StartObject();
    }
    case Stage::kData:
      return Inflate(bytes);
    case Stage::kTrailer: {
      size_t take = std::min(bytes.size(), kHashSize - pending_.size());
      pending_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      if (pending_.size() == kHashSize) stage_ = Stage::kDone;
      return OkStatus();
    }
    case Stage::kDone:
      return Fail("data after the pack's trailer");
  }
  return Fail("internal: unknown stage");
}

// A delta's result size is in its first inflated bytes: checked as soon as
// they are there.
Status PackScanner::CheckDeltaHead(size_t produced) {
  if ((type_ != kOfsDelta && type_ != kRefDelta) || delta_checked_) return OkStatus();
  size_t keep = std::min(produced, 2 * kMaxHeaderBytes - delta_head_.size());
  delta_head_.append(reinterpret_cast<const char*>(zlib_->scratch.data()), keep);
  uint64_t result = 0;
  bool malformed = false;
  if (!DeltaResultSize(delta_head_, result, malformed)) {
    if (delta_head_.size() >= 2 * kMaxHeaderBytes) return Fail("object " + std::to_string(objects_seen_) + ": malformed delta header");
    return OkStatus();
  }
  if (malformed) return Fail("object " + std::to_string(objects_seen_) + ": malformed delta header");
  if (result > limits_.max_object) {
    return Fail("delta " + std::to_string(objects_seen_) + " produces " + Size(result) + ", more than the " +
                Size(limits_.max_object) + " allowed (max_object_size)");
  }
  delta_checked_ = true;
  return Count(result);
}

Status PackScanner::Count(uint64_t bytes) {
  total_ += bytes;
  if (total_ > limits_.max_inflated) {
    return Fail("the pack inflates to more than the " + Size(limits_.max_inflated) +
                " allowed (max_pack_inflated), objects and delta results together");
  }
  return OkStatus();
}

Status PackScanner::StartObject() {
  inflated_ = 0;
  delta_head_.clear();
  delta_checked_ = false;
  if (zlib_->open) inflateEnd(&zlib_->stream);
  zlib_->stream = z_stream{};
  if (inflateInit(&zlib_->stream) != Z_OK) return Fail("zlib cannot start");
  zlib_->open = true;
  return OkStatus();
}

// Inflates into the scratch buffer, counting; ends the object at the end
// of its zlib stream, leaving the bytes after it in `bytes`.
Status PackScanner::Inflate(std::string_view& bytes) {
  z_stream& z = zlib_->stream;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(std::min<size_t>(bytes.size(), 1u << 30));
  size_t offered = z.avail_in;
  int rc = Z_OK;
  for (;;) {
    z.next_out = zlib_->scratch.data();
    z.avail_out = static_cast<uInt>(zlib_->scratch.size());
    rc = inflate(&z, Z_NO_FLUSH);
    size_t produced = zlib_->scratch.size() - z.avail_out;
    inflated_ += produced;
    if (inflated_ > declared_) {
      return Fail("object " + std::to_string(objects_seen_) + " inflates past its declared " + Size(declared_));
    }
    if (Status s = CheckDeltaHead(produced); !s) return s;
    if (rc == Z_STREAM_END || rc == Z_BUF_ERROR) break;  // Z_BUF_ERROR: needs more input
    if (rc != Z_OK) return Fail("object " + std::to_string(objects_seen_) + ": corrupt zlib data");
    if (z.avail_in == 0 && z.avail_out != 0) break;  // all input used, nothing held back
  }
  size_t used = offered - z.avail_in;
  bytes.remove_prefix(used);
  if (rc != Z_STREAM_END) return OkStatus();
  if (inflated_ != declared_) {
    return Fail("object " + std::to_string(objects_seen_) + " inflates to " + Size(inflated_) + ", not its declared " +
                Size(declared_));
  }
  inflateEnd(&z);
  zlib_->open = false;
  ++objects_seen_;
  stage_ = objects_seen_ == object_count_ ? Stage::kTrailer : Stage::kObjectHeader;
  return OkStatus();
}

}  // namespace daybook::repo
