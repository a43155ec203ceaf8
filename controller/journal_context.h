// Where a fleet's journal, its keys and its operators' list live, resolved
// from daybook.toml and the command line, for the `daybook journal` commands.
// An auditor without the fleet repository passes --journal and --vkey.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "controller/env.h"
#include "core/crypto/allowed_signers.h"
#include "core/journal/note.h"
#include "core/journal/query.h"
#include "core/journal/store.h"

namespace daybook::controller {

constexpr const char* kVerifierKeyFile = "journal.vkey";  // published, committed
constexpr const char* kAllowedSignersFile = "allowed_signers";

struct JournalLocation {
  std::string journal_dir;          // --journal DIR
  std::vector<std::string> vkeys;   // --vkey KEY (verifier key text or a file holding one)
  std::string allowed_signers;      // --allowed-signers FILE
};

struct JournalContext {
  std::filesystem::path dir;
  std::optional<std::filesystem::path> fleet_root;  // when inside a fleet
  std::vector<journal::NoteVerifier> vkeys;
  std::optional<crypto::AllowedSigners> allowed_signers;
  std::string origin;
  std::filesystem::path signing_key;  // for writers (prune)
};

// What a command needs resolved.
struct JournalNeeds {
  bool journal = true;  // the journal directory (not for checking a proof file)
  bool vkeys = false;   // fail when no verifier key can be found
};

// Resolves flags, falling back on the fleet repository for what is not given.
Result<JournalContext> ResolveJournal(Env& env, const GlobalOptions& global, const JournalLocation& where,
                                      JournalNeeds needs);

// Every record of the fleet's journal (no --journal flag: the fleet's own),
// for commands that read it on the side (status, reconcile).
Result<std::vector<journal::JournalEntry>> ReadFleetJournal(Env& env, const GlobalOptions& global);

// Loads the journal signing key (0600 file, PRIVATE+KEY+... text).
Result<journal::NoteSigner> LoadSigningKey(Env& env, const JournalContext& context);

// Creates the journal signing key and its published verifier key in a new
// fleet repository. The private key file is 0600.
Status CreateJournalKeys(Filesystem& fs, const std::filesystem::path& root, const std::string& origin);

// The checkpoint origin a fleet uses when daybook.toml names none.
std::string DefaultOrigin(const std::filesystem::path& root);

}  // namespace daybook::controller
