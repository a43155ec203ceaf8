#include "controller/fleet_commit.h"

#include "controller/journal_context.h"
#include "core/base/strings.h"
#include "core/inventory/parser.h"

namespace daybook::controller {
namespace {

// A file of the commit, or nullopt when the commit does not hold it.
Result<std::optional<SourceFile>> OptionalFileAt(Env& env, const std::filesystem::path& root, const std::string& commit,
                                                 const std::string& path) {
  Result<repo::FileAtRevision> file = env.git.ReadFileAt(root, commit, path);
  if (!file && file.error().code == ErrorCode::kNotFound) return std::optional<SourceFile>();
  if (!file) return file.error();
  return std::optional<SourceFile>(SourceFile{path, std::move(file->content)});
}

// Every difference, all at once, so one commit fixes them all.
Status CheckWorkingTree(Env& env, const std::filesystem::path& root, const std::string& commit, const std::string& rev) {
  Result<std::vector<std::string>> changed = env.git.DiffersFrom(root, commit, FleetStatePathspecs());
  if (!changed) return std::move(changed).error();
  if (changed->empty()) return OkStatus();
  std::string list;
  for (const std::string& file : *changed) list += (list.empty() ? "" : ", ") + file;
  std::string at = rev == "HEAD" ? "HEAD (" + commit.substr(0, 12) + ")" : commit.substr(0, 12) + " (" + rev + ")";
  return MakeError(ErrorCode::kInvalidInput,
                   "the fleet's working tree differs from " + at + ": " + list +
                       ". daybook reads daybook.toml, the inventory, inventory/known_hosts and allowed_signers from "
                       "the commit it records in the journal: commit these files (or restore them) first");
}

}  // namespace

const std::vector<std::string>& FleetStatePathspecs() {
  static const std::vector<std::string> kSpecs = {kConfigFile, kAllowedSignersFile, std::string(kInventoryDir) + "/*.toml",
                                                  std::string(kInventoryDir) + "/known_hosts"};
  return kSpecs;
}

Result<CommittedFleet> LoadCommittedFleet(Env& env, const std::filesystem::path& root, const std::string& rev) {
  Result<repo::CommitRef> resolved = env.git.Resolve(root, rev);
  if (!resolved) return std::move(resolved).error().WithContext("fleet repository");
  CommittedFleet state;
  state.commit = resolved->commit;
  if (Status clean = CheckWorkingTree(env, root, state.commit, rev); !clean) return clean.error();

  Result<repo::FileAtRevision> config_text = env.git.ReadFileAt(root, state.commit, kConfigFile);
  if (!config_text) return std::move(config_text).error();
  Result<FleetConfig> config = ParseFleetConfig({kConfigFile, config_text->content});
  if (!config) return std::move(config).error();

  Result<std::vector<std::string>> listed = env.git.ListFilesAt(root, state.commit, kInventoryDir);
  if (!listed) return std::move(listed).error();
  std::vector<SourceFile> files;
  for (const std::string& path : *listed) {
    if (path.size() < 5 || path.compare(path.size() - 5, 5, ".toml") != 0) continue;
    Result<repo::FileAtRevision> text = env.git.ReadFileAt(root, state.commit, path);
    if (!text) return std::move(text).error();
    files.push_back({path, std::move(text->content)});
  }
  if (files.empty()) {
    return MakeError(ErrorCode::kInvalidInput, std::string("no inventory: ") + kInventoryDir + "/ holds no .toml file at " +
                                                   state.commit.substr(0, 12));
  }
  Result<inventory::Inventory> inventory = inventory::ParseInventory(files);
  if (!inventory) return std::move(inventory).error();
  state.fleet = Fleet{root, std::move(*config), std::move(*inventory)};

  const std::string known_path = std::string(kInventoryDir) + "/known_hosts";
  Result<std::optional<SourceFile>> known = OptionalFileAt(env, root, state.commit, known_path);
  if (!known) return std::move(known).error();
  state.known_hosts = known->value_or(SourceFile{known_path, ""});

  Result<std::optional<SourceFile>> signers = OptionalFileAt(env, root, state.commit, kAllowedSignersFile);
  if (!signers) return std::move(signers).error();
  if (*signers) {
    Result<crypto::AllowedSigners> parsed = crypto::ParseAllowedSigners(**signers);
    if (!parsed) return std::move(parsed).error();
    state.allowed_signers = std::move(*parsed);
  }
  return state;
}

}  // namespace daybook::controller
