#include "controller/journal_context.h"

#include "controller/fleet.h"
#include "core/base/strings.h"

namespace daybook::controller {

namespace fs = std::filesystem;

std::string DefaultOrigin(const fs::path& root) {
  std::string name = root.filename().string();
  return "daybook.local/" + (name.empty() ? std::string("fleet") : name);
}

Status CreateJournalKeys(Filesystem& fs, const fs::path& root, const std::string& origin) {
  Result<journal::NoteSigner> signer = journal::GenerateNoteSigner(origin);
  if (!signer) return std::move(signer).error();
  fs::path key = root / ".daybook" / "journal.key";
  if (Status made = fs.CreateDirectories(key.parent_path()); !made) return made;
  if (Status written = fs.WriteFileAtomic(key, journal::FormatSignerKey(*signer) + "\n", 0600); !written) return written;
  return fs.WriteFileAtomic(root / kVerifierKeyFile, journal::FormatVerifierKey(*signer) + "\n", 0644);
}

Result<JournalContext> ResolveJournal(Env& env, const GlobalOptions& global, const JournalLocation& where,
                                      JournalNeeds needs) {
  JournalContext context;
  std::optional<FleetConfig> config;
  // The fleet is optional for auditors who name everything on the command line.
  bool need_fleet = (needs.journal && where.journal_dir.empty()) || (needs.vkeys && where.vkeys.empty());
  Result<fs::path> root = LocateFleet(env, global);
  if (root) {
    context.fleet_root = *root;
    Result<FleetConfig> loaded = LoadFleetConfig(env.fs, *root);
    if (!loaded) return std::move(loaded).error();
    config = *loaded;
  } else if (need_fleet) {
    // Outside a fleet repository, an auditor names what the fleet would
    // have given: say which, not "run daybook init".
    std::string missing;
    if (needs.journal && where.journal_dir.empty()) missing += "--journal DIR (the journal directory)";
    if (needs.vkeys && where.vkeys.empty()) {
      missing += std::string(missing.empty() ? "" : " and ") + "--vkey KEY (the journal's verifier key: journal.vkey, or its text)";
    }
    return MakeError(ErrorCode::kInvalidInput, "not inside a fleet repository: pass " + missing +
                                                   " (and --allowed-signers FILE to check who signed), or --fleet DIR");
  }
  auto absolute = [&](const std::string& p) { return fs::path(p).is_absolute() ? fs::path(p) : env.cwd / p; };
  if (!where.journal_dir.empty()) {
    context.dir = absolute(where.journal_dir);
  } else if (config) {
    context.dir = *context.fleet_root / config->journal_dir;
  }
  if (config) {
    context.origin = config->journal_origin.empty() ? DefaultOrigin(*context.fleet_root) : config->journal_origin;
    context.signing_key = *context.fleet_root / config->journal_signing_key;
  }

  std::vector<std::string> vkey_texts;
  for (const std::string& vkey : where.vkeys) {
    // A key is name+hex+base64; anything else is read as a file holding one.
    Result<std::string> text = journal::ParseVerifierKey(vkey) ? Result<std::string>(vkey) : env.fs.ReadFile(absolute(vkey));
    if (!text) return std::move(text).error().WithContext("--vkey");
    vkey_texts.push_back(std::string(Trim(*text)));
  }
  if (vkey_texts.empty() && context.fleet_root && env.fs.Exists(*context.fleet_root / kVerifierKeyFile)) {
    Result<std::string> text = env.fs.ReadFile(*context.fleet_root / kVerifierKeyFile);
    if (!text) return std::move(text).error();
    for (const std::string& line : Split(*text, '\n')) {
      if (!Trim(line).empty()) vkey_texts.push_back(std::string(Trim(line)));
    }
  }
  for (const std::string& text : vkey_texts) {
    Result<journal::NoteVerifier> v = journal::ParseVerifierKey(text);
    if (!v) return MakeError(ErrorCode::kInvalidInput, "bad verifier key " + Quoted(text) + ": " + v.error().message);
    context.vkeys.push_back(*v);
  }
  if (needs.vkeys && context.vkeys.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "no verifier key: pass --vkey KEY or run inside the fleet (journal.vkey)");
  }

  fs::path signers = !where.allowed_signers.empty() ? absolute(where.allowed_signers)
                     : context.fleet_root          ? *context.fleet_root / kAllowedSignersFile
                                                   : fs::path();
  if (!signers.empty() && env.fs.Exists(signers)) {
    Result<std::string> text = env.fs.ReadFile(signers);
    if (!text) return std::move(text).error();
    Result<crypto::AllowedSigners> parsed = crypto::ParseAllowedSigners({signers.filename().string(), *text});
    if (!parsed) return std::move(parsed).error();
    context.allowed_signers = *parsed;
  } else if (!where.allowed_signers.empty()) {
    return MakeError(ErrorCode::kNotFound, "no allowed_signers file at " + signers.string());
  }
  return context;
}

Result<std::vector<journal::JournalEntry>> ReadFleetJournal(Env& env, const GlobalOptions& global) {
  Result<JournalContext> context = ResolveJournal(env, global, {}, {true, false});
  if (!context) return std::move(context).error();
  Result<journal::JournalFiles> files = journal::ReadJournalFiles(env.fs, context->dir);
  if (!files) return std::move(files).error();
  return journal::ReadEntries(*files);
}

Result<journal::NoteSigner> LoadSigningKey(Env& env, const JournalContext& context) {
  if (context.signing_key.empty()) return MakeError(ErrorCode::kInvalidInput, "no fleet: the journal signing key is unknown");
  Result<unsigned> mode = env.fs.FileMode(context.signing_key);
  if (mode && (*mode & 077) != 0) {
    return MakeError(ErrorCode::kInvalidInput, context.signing_key.string() + " is readable by others; chmod 600 it");
  }
  Result<std::string> text = env.fs.ReadFile(context.signing_key);
  if (!text) return std::move(text).error().WithContext("journal signing key");
  Result<journal::NoteSigner> signer = journal::ParseSignerKey(*text);
  if (!signer) return std::move(signer).error().WithContext(context.signing_key.string());
  return signer;
}

}  // namespace daybook::controller
