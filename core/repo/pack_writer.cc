// A version 2 packfile of whole objects (no deltas): each object's type and
// size header, its zlib-deflated content, and the SHA-1 of everything as
// trailer (gitformat-pack(5)). libgit2's packbuilder searches deltas
// between every pair in a window of objects, which for a first deploy of a
// large tree costs seconds and saves little (the files differ); here a
// deploy pays one deflate per object. The agent's indexer verifies the
// result like any pack.
#include <openssl/evp.h>
#include <zlib.h>

#include <memory>

#include "core/repo/libgit2_util.h"

namespace daybook::repo::internal {
namespace {

// The pack object header: type in bits 4-6 of the first byte, size in its
// low 4 bits then 7 bits per following byte, high bit = more bytes.
void AppendObjectHeader(std::string& out, git_object_t type, size_t size) {
  unsigned char byte = static_cast<unsigned char>((static_cast<unsigned>(type) << 4) | (size & 0x0f));
  size >>= 4;
  while (size != 0) {
    out.push_back(static_cast<char>(byte | 0x80));
    byte = static_cast<unsigned char>(size & 0x7f);
    size >>= 7;
  }
  out.push_back(static_cast<char>(byte));
}

bool AppendDeflated(std::string& out, const void* data, size_t size) {
  uLongf bound = compressBound(static_cast<uLong>(size));
  size_t at = out.size();
  out.resize(at + bound);
  int rc = compress2(reinterpret_cast<Bytef*>(out.data() + at), &bound, static_cast<const Bytef*>(data),
                     static_cast<uLong>(size), Z_DEFAULT_COMPRESSION);
  out.resize(at + (rc == Z_OK ? bound : 0));
  return rc == Z_OK;
}

}  // namespace

Result<std::string> WritePackOf(git_odb* odb, const std::vector<git_oid>& objects) {
  std::string pack = "PACK";
  for (uint32_t word : {uint32_t{2}, static_cast<uint32_t>(objects.size())}) {
    for (int shift = 24; shift >= 0; shift -= 8) pack.push_back(static_cast<char>((word >> shift) & 0xff));
  }
  for (const git_oid& oid : objects) {
    Owned<git_odb_object, git_odb_object_free> object;
    if (git_odb_read(&object.ptr, odb, &oid) != 0) return GitError(ErrorCode::kIo, "read object " + Hex(oid));
    size_t size = git_odb_object_size(object.ptr);
    AppendObjectHeader(pack, git_odb_object_type(object.ptr), size);
    if (!AppendDeflated(pack, git_odb_object_data(object.ptr), size)) {
      return MakeError(ErrorCode::kInternal, "deflate failed for " + Hex(oid));
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(pack.data(), pack.size(), digest, &length, EVP_sha1(), nullptr) != 1) {
    return MakeError(ErrorCode::kInternal, "sha1 of the pack failed");
  }
  pack.append(reinterpret_cast<const char*>(digest), length);
  return pack;
}

}  // namespace daybook::repo::internal
