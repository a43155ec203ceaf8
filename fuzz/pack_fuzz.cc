// Fuzz target: pack ingestion as the agent does it. The first byte picks
// how the rest is cut into pack.data pieces; the bytes go through the pack
// scanner and libgit2's indexer (a real object store in a temp dir), and a
// pack both accept is committed.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/repo/object_store.h"

using namespace daybook;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<repo::ObjectStore> store = [] {
    char tmpl[] = "/tmp/daybook-fuzz-pack.XXXXXX";
    std::filesystem::path dir = ::mkdtemp(tmpl);
    return std::move(repo::ObjectStore::Open(dir / "objects.git")).value();
  }();
  if (size == 0) return 0;
  size_t piece = (static_cast<size_t>(data[0]) + 1) * 16;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  Result<std::unique_ptr<repo::PackSink>> sink = store->ReceivePack({1 << 20});
  if (!sink) return 0;
  for (size_t at = 0; at < bytes.size(); at += piece) {
    if (!(*sink)->Append(bytes.substr(at, piece))) return 0;
  }
  (void)(*sink)->Commit();
  return 0;
}
