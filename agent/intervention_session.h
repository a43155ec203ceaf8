// The intervention messages of one session (protocol v1, docs/agent.md):
//   deploy.status   {deploys:[{name,path}], drift}  ← deploy.status
//   pack.begin      {}                              ← pack.ready {max_chunk}
//   pack.data       {data: base64}                  ← pack.ack {bytes}
//   pack.end        {}                              ← pack.indexed {objects, bytes}
//   patch.plan      {patch}                         ← patch.plan (agent/pkg/patch_step.h)
//   apply           {intervention, host, begin, patch?, deploys:[{name, path, commit, keep, after, timeout_ms}]}
//                   ← apply.result {intervention, host, begin (leaf hash), status ok|failed, patch,
//                                   deploys:[deploy.result], reboot}   (an apply asking for nothing is refused)
// The apply pipeline: patch, then each deploy; a failed step stops it (the
// rest is reported "skipped"). The answer is kept (agent/result_store.h)
// before it is sent; a reboot the manifest asks for runs (reboot_command)
// only after that and after the answer has left.
//   deploy.rollback {intervention, host, begin, name, to} ← deploy.result (+ intervention, host, begin), kept too
// Kept results, for a controller that did not journal an answer:
//   results.list    {}               ← results.list {interventions: [id], running: [id]}
//   results.fetch   {intervention}   ← the kept answer, exactly as first signed
//   results.ack     {intervention}   ← results.acked {intervention} (forgotten)
// A pack streams into the object store's indexer as it arrives (memory
// stays bounded); a session that ends before pack.end leaves nothing.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "agent/answer_binding.h"
#include "agent/begin_check.h"
#include "agent/config.h"
#include "agent/deploy/deployer.h"
#include "agent/result_store.h"
#include "agent/pkg/patch_step.h"
#include "agent/requests.h"
#include "core/base/filesystem.h"
#include "core/exec/process_runner.h"
#include "core/protocol/frame.h"
#include "core/repo/object_store.h"

namespace daybook::agent {

// Raw pack bytes per pack.data message the controller should send.
constexpr size_t kPackChunk = 1u << 20;

// What the sessions of one agent share.
struct InterventionContext {
  const AgentConfig* config = nullptr;
  Filesystem* fs = nullptr;
  exec::ProcessRunner* runner = nullptr;
  Deployer* deployer = nullptr;
  PatchStep* patch = nullptr;
  std::filesystem::path object_store;  // <state_dir>/objects.git
  ResultStore* results = nullptr;      // <state_dir>/results
  // Who may sign the interventions this agent carries out (begin_check.h);
  // null: every change is refused.
  AuthorizedOperators* operators = nullptr;
  const Clock* clock = nullptr;  // null: the system clock
};

// Why this agent would not reboot its host for a patch ("" when it would):
// a sandbox root whose reboot_command is the host's own.
std::string RebootRefusal(const AgentConfig& config);

// The operator-signed begin record `request` carries, checked (begin_check.h)
// against the context's operators; an error answer ("refused") otherwise.
Result<BeginSigner> CheckRequestBegin(const InterventionContext& context, const protocol::Json& request);

class InterventionSession {
 public:
  explicit InterventionSession(const InterventionContext& context) : context_(context) {}

  // The answer to an intervention message, or nullopt when `request` is not one.
  std::optional<protocol::Json> Answer(const protocol::Json& request);

  // Called once the answer has been sent: runs a reboot that answer announced.
  // Returns what happened, for the session log ("" when nothing).
  std::string AfterAnswer();

 private:
  Result<repo::ObjectStore*> Store();
  protocol::Json Apply(repo::ObjectStore& store, const AnswerBinding& binding, const ApplyRequest& request);
  protocol::Json BeginPack(repo::ObjectStore& store);
  protocol::Json PackData(const protocol::Json& data);
  protocol::Json EndPack();
  protocol::Json KeptResults(const std::string& type, const protocol::Json& request);

  const InterventionContext& context_;
  bool reboot_pending_ = false;
  std::string reboot_intervention_;  // the intervention whose answer announced it
  std::unique_ptr<repo::ObjectStore> store_;
  std::unique_ptr<repo::PackSink> sink_;
  uint64_t pack_bytes_ = 0;
};

}  // namespace daybook::agent
