// The deploy messages of one session (protocol v1, see core/protocol/messages.h):
//   deploy.status   {deploys:[{name,path}], drift}  ← deploy.status
//   pack.begin      {}                              ← pack.ready {max_chunk}
//   pack.data       {data: base64}                  ← pack.ack {bytes}
//   pack.end        {}                              ← pack.indexed {objects, bytes}
//   apply           {intervention, deploys:[{name, path, commit, keep, after, timeout_ms}]}
//                   ← apply.result {intervention, status ok|failed, deploys:[deploy.result]}
//   deploy.rollback {intervention, name, to}        ← deploy.result (+ intervention)
// A pack streams into the object store's indexer as it arrives (memory
// stays bounded); a session that ends before pack.end leaves nothing.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "agent/deploy/deployer.h"
#include "core/protocol/frame.h"
#include "core/repo/object_store.h"

namespace daybook::agent {

// Raw pack bytes per pack.data message the controller should send.
constexpr size_t kPackChunk = 1u << 20;
// A pack larger than this is refused.
constexpr uint64_t kMaxPackBytes = 8ull << 30;

class InterventionSession {
 public:
  InterventionSession(Deployer& deployer, std::filesystem::path object_store)
      : deployer_(deployer), store_dir_(std::move(object_store)) {}

  // The answer to a deploy message, or nullopt when `request` is not one.
  std::optional<protocol::Json> Answer(const protocol::Json& request);

 private:
  Result<repo::ObjectStore*> Store();
  protocol::Json Apply(repo::ObjectStore& store, const std::string& intervention, const protocol::Json& request);

  Deployer& deployer_;
  std::filesystem::path store_dir_;
  std::unique_ptr<repo::ObjectStore> store_;
  std::unique_ptr<repo::PackSink> sink_;
  uint64_t pack_bytes_ = 0;
};

}  // namespace daybook::agent
