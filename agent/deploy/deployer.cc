#include "agent/deploy/deployer.h"

#include "core/base/text.h"

#include <ctime>

#include "agent/deploy/confine.h"
#include "agent/deploy/release_dir.h"
#include "core/base/ownership.h"
#include "core/base/strings.h"
#include "core/base/text.h"

namespace daybook::agent {
namespace {

using protocol::Json;

bool IsCommitId(const std::string& id) {
  return id.size() == 40 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string Rfc3339(TimePoint t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(t));
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The first paths of `paths`, up to kMaxListedPaths of them and
// kMaxListedPathBytes bytes together as sent (a path may be 4 KiB, and a
// control byte is six bytes of JSON): the counts say how many there are,
// and the answer stays far below a frame whatever was planted.
Json PathList(const std::vector<std::string>& paths) {
  Json list = Json::array();
  size_t bytes = 0;
  // File names are bytes: escaped, or one name that is not UTF-8 would make
  // the answer impossible to send.
  for (size_t i = 0; i < paths.size() && i < kMaxListedPaths; ++i) {
    Json escaped = EscapeBytes(paths[i]);
    bytes += escaped.dump().size();
    if (bytes > kMaxListedPathBytes) break;
    list.push_back(std::move(escaped));
  }
  return list;
}

}  // namespace

// Json drift report of a comparison, shared with deploy_status.cc.
Json DriftJson(const repo::TreeComparison& c) {
  return {{"identical", c.identical()}, {"directory_tree", c.directory_tree},
          {"counts", {{"modified", c.modified.size()}, {"added", c.added.size()}, {"removed", c.removed.size()}}},
          {"modified", PathList(c.modified)}, {"added", PathList(c.added)}, {"removed", PathList(c.removed)},
          {"incomplete", c.incomplete.empty() ? Json(nullptr) : Json(ReadableText(c.incomplete))},
          {"writable", PathList(c.writable)}};
}

// Whether a release holds exactly its commit's tree, and nobody but root
// can change that behind the agent's back.
bool Proven(const repo::TreeComparison& c, const std::string& tree) {
  return c.identical() && c.directory_tree == tree && c.writable.empty();
}

namespace {

// Builds the deploy.result body as the pipeline goes.
struct Outcome {
  Json body;
  Outcome(const std::string& action, const std::string& name, const std::string& path) {
    body = {{"type", "deploy.result"}, {"action", action}, {"name", name}, {"path", path}, {"status", "ok"},
            {"from", nullptr}, {"to", nullptr}, {"tree", nullptr}, {"verified", false}, {"hook", nullptr},
            {"rolled_back_to", nullptr}, {"repaired", nullptr}, {"pruned", Json::array()}, {"error", nullptr},
            {"timings_ms", Json::object()}};
  }
  // The deploy directory, once open: what its removals set aside is said.
  const ReleaseDir* dir = nullptr;
  // Messages may quote file names, which are bytes: kept readable and valid.
  Json Refuse(const std::string& why) {
    body["status"] = "refused";
    body["error"] = ReadableText(why);
    return Done();
  }
  Json Fail(const std::string& why) {
    body["status"] = "failed";
    body["error"] = ReadableText(why);
    return Done();
  }
  Json Done() {
    if (dir != nullptr && !dir->notes().empty()) {
      Json notes = Json::array();
      for (const std::string& n : dir->notes()) notes.push_back(ReadableText(n));
      body["notes"] = notes;
    }
    if (dir != nullptr && dir->set_aside_count() > 0) {
      Json moved = Json::array();
      for (const std::string& m : dir->set_aside()) moved.push_back(ReadableText(m));
      body["set_aside"] = {{"count", dir->set_aside_count()}, {"moved", moved}};
    }
    return body;
  }
};

// The hook, its exit and the tail of its output (the host result carries it).
struct HookRun {
  bool ok = true;
  Json json = nullptr;
};

// What the agent keeps of a hook's output while it runs, and what of it
// goes into the answer (the end, where a failing command says why).
constexpr size_t kHookOutputKept = 64u << 10;
constexpr size_t kHookOutputShown = 4000;

// The hook runs as root in the proven release, which it enters by
// descriptor (fchdir: no path is resolved, so a `releases` or parent
// swapped meanwhile cannot send it elsewhere). A program named relative to
// the release ("bin/reload") is opened beneath it without following links,
// must be changeable by root only, and runs by descriptor (execveat), so
// the file checked is the file run. A bare name is looked up in the
// agent's PATH and an absolute path is the administrator's, as in sudo.
HookRun RunHook(exec::ProcessRunner& runner, const DeployState& state, const ReleaseDir& dir, const std::string& commit,
                const std::string& previous) {
  if (state.after.empty()) return {};
  auto not_started = [&](const std::string& why) {
    return HookRun{false, {{"argv", state.after}, {"result", "did not start: " + why}, {"output", ""}}};
  };
  Result<ReleaseEntry> release = dir.OpenRelease(commit);
  if (!release) return not_started(release.error().message);
  if (release->kind != ReleaseEntry::Kind::kDirectory) return not_started(dir.Release(commit).string() + " is not a directory");
  exec::ProcessSpec spec = exec::ProcessSpec::Of(state.after);
  spec.cwd_fd = release->dir->fd();
  UniqueFd program;
  const std::string& name = state.after.front();
  if (!name.empty() && name.front() != '/' && name.find('/') != std::string::npos) {
    Result<UniqueFd> opened = OpenRootOnlyProgram(*release->dir, name);
    if (!opened) return not_started(opened.error().message);
    program = std::move(*opened);
    spec.exe_fd = program.get();
  }
  spec.timeout = state.timeout;
  spec.max_output = kHookOutputKept;
  spec.env = {{"DAYBOOK_DEPLOY", state.name}, {"DAYBOOK_COMMIT", commit}, {"DAYBOOK_PREVIOUS", previous},
              {"DAYBOOK_RELEASE_DIR", dir.Release(commit).string()}};
  auto start = std::chrono::steady_clock::now();
  Result<exec::ProcessResult> ran = runner.Run(spec);
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  if (!ran) return not_started(ran.error().message);
  // Hook output is bytes in any encoding: made valid UTF-8, then cut at a
  // character boundary, so the answer can always be encoded.
  std::string output = Utf8Tail(ReadableText(ran->out + ran->err), kHookOutputShown);
  std::string stderr_tail = Utf8Tail(ReadableText(ran->err), kHookOutputShown);
  return {ran->ok(),
          {{"argv", state.after}, {"result", ran->Describe()}, {"output", output}, {"stderr", stderr_tail},
           {"duration_ms", ms}}};
}

// Why a hook failed, in one line the operator sees wherever the error goes
// (push's table and JSON, the journal, the agent's log): its result and
// the last line it wrote, stderr first (where a failing command says why),
// cut to kHookReasonShown bytes.
constexpr size_t kHookReasonShown = 300;
std::string HookFailure(const HookRun& hook) {
  std::string why = "after hook failed (" + hook.json["result"].get<std::string>() + ")";
  for (const char* stream : {"stderr", "output"}) {
    std::string text = hook.json.value(stream, std::string());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    if (text.empty()) continue;
    size_t newline = text.find_last_of('\n');
    std::string last = newline == std::string::npos ? text : text.substr(newline + 1);
    if (last.size() > kHookReasonShown) last = Utf8Tail(last, kHookReasonShown);
    return why + ": " + last;
  }
  return why;
}

// Switches back after a failed hook: the previous release, or no `current`.
Status SwitchBack(ReleaseDir& dir, const std::string& previous) {
  return previous.empty() ? dir.RemoveCurrent() : dir.SwitchCurrent(previous);
}

// Milliseconds spent in each step, reported with the result (where a slow
// deploy spends its time).
class StepTimer {
 public:
  explicit StepTimer(Json& timings) : timings_(timings) {}
  void Lap(const char* step) {
    auto now = std::chrono::steady_clock::now();
    timings_[step] = timings_.value(step, int64_t{0}) + std::chrono::duration_cast<std::chrono::milliseconds>(now - last_).count();
    last_ = now;
  }

 private:
  Json& timings_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// Makes releases/<commit> exist and hold exactly the commit's tree. A
// release that is already there and proven is left alone; otherwise the
// commit is checked out into a fresh 0700 partial directory, proven, and
// put in its place (a drifted release, or a link that stood there, is
// swapped out atomically and removed without being followed).
Status PrepareRelease(repo::ObjectStore& store, ReleaseDir& dir, const std::string& commit, const std::string& tree,
                      Json& timings) {
  StepTimer timer(timings);
  Result<ReleaseEntry> entry = dir.OpenRelease(commit);
  if (!entry) return entry.error();
  if (entry->kind == ReleaseEntry::Kind::kDirectory) {
    Result<repo::TreeComparison> before = store.Compare(commit, *entry->dir);
    timer.Lap("verify");
    if (before && Proven(*before, tree)) return OkStatus();
  }
  Result<ConfinedDir> partial = dir.MakePartial(commit);
  if (!partial) return partial.error();
  auto discard = [&](Error e) {
    (void)dir.RemovePartial(commit);
    return e;
  };
  if (Status s = store.Checkout(commit, *partial); !s) return discard(std::move(s).error());
  timer.Lap("checkout");
  Result<repo::TreeComparison> proof = store.Compare(commit, *partial);
  timer.Lap("verify");
  if (!proof) return discard(std::move(proof).error());
  if (!proof->identical() || proof->directory_tree != tree) {
    return discard(MakeError(ErrorCode::kFailed, "identity check failed: the checked-out tree is " + proof->directory_tree +
                                                     ", the commit's is " + tree));
  }
  Status promoted = dir.Promote(commit, *partial);
  timer.Lap("sync");
  if (!promoted) return discard(std::move(promoted).error());
  return OkStatus();
}

}  // namespace

// releases/<commit> against its commit, shared with deploy_status.cc. A
// release that is missing, or is a link or a file, is all drift: one entry
// "." as modified, and `note` says what stands there (never followed). So
// is one that cannot be read to the end (out of descriptors, moved while
// read): what cannot be proven is drift, never hidden behind an error, and
// a push repairs it.
Result<repo::TreeComparison> CompareRelease(repo::ObjectStore& store, const ReleaseDir& dir, const std::string& commit,
                                            std::string& note) {
  repo::TreeComparison all;
  all.modified.push_back(".");
  Result<ReleaseEntry> entry = dir.OpenRelease(commit);
  if (!entry) return entry.error();
  if (entry->kind == ReleaseEntry::Kind::kDirectory) {
    Result<repo::TreeComparison> compared = store.Compare(commit, *entry->dir);
    if (compared) return compared;
    note = "cannot prove " + dir.Release(commit).string() + ": " + compared.error().message;
    return all;
  }
  note = dir.Release(commit).string() +
         (entry->kind == ReleaseEntry::Kind::kMissing ? " is missing" : " is " + entry->what + ": not following it");
  return all;
}

// The deploy directory of `path`, opened beneath its deploy root without
// following links (see Access).
Result<ReleaseDir> OpenDeploy(const AgentConfig& config, const std::string& path, Access access) {
  Result<ConfinedPath> confined = ConfineDeployPath(config.root, config.deploy_roots, path);
  if (!confined) return confined.error();
  return OpenReleaseDir(confined->deploy_root, confined->rel, access);
}

// "dev:inode" of a directory: what two names resolving to one directory share.
Result<std::string> Identity(const ReleaseDir& dir) {
  Result<struct stat> st = dir.handle().StatSelf();
  if (!st) return st.error();
  return std::to_string(st->st_dev) + ":" + std::to_string(st->st_ino);
}

Json Deployer::Apply(repo::ObjectStore& store, const DeployRequest& request) {
  Outcome outcome("deploy", request.name, request.path);
  outcome.body["to"] = request.commit;
  if (!IsValidDeployName(request.name)) return outcome.Refuse("bad deploy name " + Quoted(request.name));
  if (!IsCommitId(request.commit)) return outcome.Refuse("bad commit id " + Quoted(request.commit));
  if (request.keep < 1) return outcome.Refuse("keep must be at least 1");
  if (Result<ConfinedPath> confined = ConfineDeployPath(config_.root, config_.deploy_roots, request.path); !confined) {
    return outcome.Refuse(confined.error().message);
  }
  Result<std::unique_ptr<Filesystem::Lock>> name_lock = states_.LockName(request.name);
  if (!name_lock) return outcome.Refuse(name_lock.error().message);
  Result<std::vector<DeployState>> all = states_.LoadAll();
  if (!all) return outcome.Refuse(all.error().message);
  DeployState state{request.name, request.path, "", "", {}, {}, {}, {}};
  for (const DeployState& other : *all) {
    if (other.name == request.name && other.path != request.path) {
      return outcome.Refuse("deploy " + request.name + " lives at " + other.path + " on this host, not " + request.path);
    }
    if (other.name != request.name && other.path == request.path) {
      return outcome.Refuse(request.path + " belongs to deploy " + other.name + " on this host");
    }
    if (other.name == request.name) state = other;
  }
  if (!store.HasCommit(request.commit)) {
    return outcome.Refuse("commit " + request.commit + " is not in this agent's object store (its pack was not received)");
  }
  Result<std::string> tree = store.TreeOf(request.commit);
  if (!tree) return outcome.Refuse(tree.error().message);
  outcome.body["tree"] = *tree;
  Result<ReleaseDir> opened = OpenDeploy(config_, request.path, Access::kCreate);
  if (!opened) return outcome.Refuse(opened.error().message);
  ReleaseDir& dir = *opened;
  outcome.dir = &dir;
  Result<std::string> identity = Identity(dir);
  if (!identity) return outcome.Refuse(identity.error().message);
  // Two names for one directory (through a link above the deploy roots, a
  // bind mount): the second is refused, and the lock is the directory's.
  for (const DeployState& other : *all) {
    if (other.name == request.name) continue;
    Result<ReleaseDir> other_dir = OpenDeploy(config_, other.path, Access::kRead);
    if (!other_dir) continue;
    if (Result<std::string> other_id = Identity(*other_dir); other_id && *other_id == *identity) {
      return outcome.Refuse(request.path + " is the same directory as " + other.path + " of deploy " + other.name +
                            " on this host (reached through a link or a mount)");
    }
  }
  Result<std::unique_ptr<Filesystem::Lock>> path_lock = states_.LockPath(*identity, request.name);
  if (!path_lock) return outcome.Refuse(path_lock.error().message);
  Result<std::optional<std::string>> live = dir.LiveCommit();
  if (!live) return outcome.Refuse(live.error().message);
  std::string previous = live->value_or("");
  outcome.body["from"] = previous.empty() ? Json(nullptr) : Json(previous);
  state.after = request.after;
  state.timeout = request.timeout;

  if (previous == request.commit) {
    std::string note;
    Result<repo::TreeComparison> drift = CompareRelease(store, dir, request.commit, note);
    if (!drift) return outcome.Fail(drift.error().message);
    // A release with parts another user may change is replaced even when
    // it looks identical: what the walk saw may be what its owner chose to
    // show while it ran (docs/deploy.md, "Who may own what").
    bool proven = Proven(*drift, *tree);
    outcome.body["verified"] = proven;
    if (proven) {
      outcome.body["status"] = "unchanged";
      outcome.body["verified"] = true;
      return outcome.Done();
    }
    outcome.body["repaired"] = DriftJson(*drift);
    if (Status s = PrepareRelease(store, dir, request.commit, *tree, outcome.body["timings_ms"]); !s) return outcome.Fail("repair: " + s.error().message);
    outcome.body["verified"] = true;
    HookRun hook = RunHook(runner_, state, dir, request.commit, previous);
    outcome.body["hook"] = hook.json;
    if (!hook.ok) return outcome.Fail(HookFailure(hook));
    outcome.body["status"] = "repaired";
    return outcome.Done();
  }

  if (Status s = dir.CleanPartials(); !s) return outcome.Fail(s.error().message);
  if (Status s = PrepareRelease(store, dir, request.commit, *tree, outcome.body["timings_ms"]); !s) return outcome.Fail(s.error().message);
  outcome.body["verified"] = true;
  std::erase_if(state.releases, [&](const Release& r) { return r.commit == request.commit; });
  state.releases.push_back({request.commit, *tree, Rfc3339(clock_.Now())});
  if (Status s = store.Keep(request.commit); !s) return outcome.Fail(s.error().message);
  if (Status s = states_.Save(state); !s) return outcome.Fail(s.error().message);
  if (Status s = dir.SwitchCurrent(request.commit); !s) return outcome.Fail(s.error().message);

  HookRun hook = RunHook(runner_, state, dir, request.commit, previous);
  outcome.body["hook"] = hook.json;
  if (!hook.ok) {
    std::string why = HookFailure(hook);
    if (Status s = SwitchBack(dir, previous); !s) return outcome.Fail(why + "; switching back failed too: " + s.error().message);
    outcome.body["rolled_back_to"] = previous.empty() ? Json(nullptr) : Json(previous);
    (void)dir.SetAside(request.commit);
    state.failed.push_back(state.releases.back());
    state.releases.pop_back();
    (void)store.Forget(request.commit);
    if (Status s = states_.Save(state); !s) return outcome.Fail(why + "; saving state failed: " + s.error().message);
    return outcome.Fail(why);
  }
  if (!previous.empty()) state.last_good = previous;
  state.live = request.commit;
  for (const Release& failed : state.failed) (void)dir.RemoveFailed(failed.commit);
  state.failed.clear();
  for (const std::string& commit : ReleasesToPrune(state, request.keep)) {
    if (!dir.RemoveRelease(commit)) continue;  // kept in the state: tried again next time
    (void)store.Forget(commit);
    std::erase_if(state.releases, [&](const Release& r) { return r.commit == commit; });
    outcome.body["pruned"].push_back(commit);
  }
  if (Status s = states_.Save(state); !s) return outcome.Fail(s.error().message);
  return outcome.Done();
}

Json Deployer::Rollback(repo::ObjectStore& store, const std::string& name, const std::string& to) {
  Outcome outcome("rollback", name, "");
  if (!IsValidDeployName(name)) return outcome.Refuse("bad deploy name " + Quoted(name));
  Result<std::unique_ptr<Filesystem::Lock>> name_lock = states_.LockName(name);
  if (!name_lock) return outcome.Refuse(name_lock.error().message);
  Result<std::optional<DeployState>> loaded = states_.Load(name);
  if (!loaded) return outcome.Refuse(loaded.error().message);
  if (!*loaded) return outcome.Refuse("no deploy named " + name + " on this host");
  DeployState state = std::move(**loaded);
  outcome.body["path"] = state.path;
  Result<ReleaseDir> opened = OpenDeploy(config_, state.path, Access::kWrite);
  if (!opened) return outcome.Refuse(opened.error().message);
  ReleaseDir& dir = *opened;
  outcome.dir = &dir;
  Result<std::string> identity = Identity(dir);
  if (!identity) return outcome.Refuse(identity.error().message);
  Result<std::unique_ptr<Filesystem::Lock>> path_lock = states_.LockPath(*identity, name);
  if (!path_lock) return outcome.Refuse(path_lock.error().message);
  Result<std::optional<std::string>> live = dir.LiveCommit();
  if (!live) return outcome.Refuse(live.error().message);
  std::string previous = live->value_or("");
  outcome.body["from"] = previous.empty() ? Json(nullptr) : Json(previous);

  std::string target;
  std::string kept;
  for (const Release& r : state.releases) {
    kept += (kept.empty() ? "" : ", ") + r.commit.substr(0, 12);
    bool match = to.empty() ? r.commit == state.last_good : to.size() >= 4 && StartsWith(r.commit, to);
    if (!match) continue;
    if (!target.empty()) return outcome.Refuse("release " + to + " is ambiguous on this host");
    target = r.commit;
  }
  if (target.empty()) {
    if (to.empty()) {
      return outcome.Refuse("no last-known-good release to go back to on this host" +
                            (kept.empty() ? std::string(" (it keeps none)") : " (it keeps " + kept + ": name one with --to COMMIT)"));
    }
    return outcome.Refuse("release " + to + " is not on this host (it keeps " + (kept.empty() ? "none" : kept) + ")");
  }
  outcome.body["to"] = target;
  Result<std::string> tree = store.TreeOf(target);
  if (!tree) return outcome.Refuse(tree.error().message);
  outcome.body["tree"] = *tree;
  if (target == previous) {
    outcome.body["status"] = "unchanged";
    return outcome.Done();
  }
  if (Status s = PrepareRelease(store, dir, target, *tree, outcome.body["timings_ms"]); !s) return outcome.Fail(s.error().message);
  outcome.body["verified"] = true;
  if (Status s = dir.SwitchCurrent(target); !s) return outcome.Fail(s.error().message);
  HookRun hook = RunHook(runner_, state, dir, target, previous);
  outcome.body["hook"] = hook.json;
  if (!hook.ok) {
    std::string why = HookFailure(hook);
    if (Status s = SwitchBack(dir, previous); !s) return outcome.Fail(why + "; switching back failed too: " + s.error().message);
    outcome.body["rolled_back_to"] = previous.empty() ? Json(nullptr) : Json(previous);
    return outcome.Fail(why);
  }
  // The next rollback goes further back: to the release deployed before this one.
  state.last_good.clear();
  for (const Release& r : state.releases) {
    if (r.commit == target) break;
    state.last_good = r.commit;
  }
  state.live = target;
  if (Status s = states_.Save(state); !s) return outcome.Fail(s.error().message);
  return outcome.Done();
}

}  // namespace daybook::agent
