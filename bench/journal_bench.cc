// Journal benchmark (run by bench/journal.sh, never by CI):
//   journal_bench append DIR N         N durable, sealed appends; prints appends/s and latency percentiles
//   journal_bench fill DIR N           N records quickly (for a verify benchmark; use a tmpfs DIR)
//   journal_bench verify DIR           hash path, parse+hash path, and full verification, timed
// Keys are generated per run; DIR must not exist.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "core/base/clock.h"
#include "core/base/filesystem.h"
#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/journal/agent_binding.h"
#include "core/journal/key_signer.h"
#include "core/journal/lines.h"
#include "core/journal/store.h"
#include "core/journal/verify.h"

using namespace daybook;
using Steady = std::chrono::steady_clock;

namespace {

double Seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

struct Keys {
  journal::NoteSigner journal_key = *journal::GenerateNoteSigner("bench.example/daybook");
  crypto::Ed25519Key op = *crypto::Ed25519Key::Generate();
  crypto::Ed25519Key agent = *crypto::Ed25519Key::Generate();
};

// Keys are stored beside the journal so `verify` can find them.
void SaveKeys(Filesystem& fs, const std::string& dir, const Keys& k) {
  (void)fs.WriteFileAtomic(dir + ".vkey", journal::FormatVerifierKey(k.journal_key), 0644);
  (void)fs.WriteFileAtomic(dir + ".allowed", "ops@bench " + crypto::FormatSshPublicKey(k.op.public_key()) + "\n", 0644);
}

// One intervention of 5 records: begin (operator SSHSIG), 3 agent-signed
// results bound to host, intervention and begin record, end; the 3 hosts'
// agent key pinned (operator-signed) once, before the first results.
std::vector<double> Write(const std::string& dir, long n) {
  auto fs = MakePosixFilesystem();
  auto clock = MakeSystemClock();
  Keys k;
  SaveKeys(*fs, dir, k);
  auto allowed = *crypto::ParseAllowedSigners({"a", "ops@bench " + crypto::FormatSshPublicKey(k.op.public_key())});
  auto opened = journal::JournalWriter::Open(*fs, *clock, {dir, k.journal_key, "bench.example/daybook", allowed});
  if (!opened) std::abort();
  std::unique_ptr<journal::JournalWriter> writer = std::move(opened).value();
  journal::KeyOperatorSigner signer(k.op);
  std::vector<double> latencies;
  journal::Appended last;
  auto timed = [&](std::string_view type, journal::Json fields, journal::OperatorSigner* s) {
    auto start = Steady::now();
    Result<journal::Appended> appended = writer->Append(type, std::move(fields), s);
    if (!appended) std::abort();
    last = *appended;
    latencies.push_back(Seconds(Steady::now() - start));
  };
  for (const char* host : {"web-01", "web-02", "db-01"}) {
    timed(journal::kHostKeyPinned, {{"host", host}, {"address", "10.0.0.1"}, {"port", 7022},
          {"key", crypto::FormatSshPublicKey(k.agent.public_key())},
          {"fingerprint", crypto::SshFingerprint(k.agent.public_key())}}, &signer);
  }
  for (long i = 0; static_cast<long>(latencies.size()) < n; ++i) {
    std::string id = "i-" + std::to_string(i);
    timed(journal::kInterventionBegin, {{"intervention", id}, {"ticket", "INC-1"},
          {"manifest", {{"commit", std::string(40, 'c')}, {"path", "manifests/security.toml"}}},
          {"targets", {"web-01", "web-02", "db-01"}}}, &signer);
    const journal::Appended begin = last;
    for (const char* host : {"web-01", "web-02", "db-01"}) {
      journal::Json versions = {{{"name", "openssl"}, {"from", "3.0.15-1~deb12u1"}, {"to", "3.0.17-1~deb12u2"}}};
      journal::Json response = {{"type", "apply.result"}, {"intervention", id}, {"host", host},
                                {"begin", journal::BeginHash(begin.line)}, {"status", "ok"}, {"reboot", "none"},
                                {"deploys", journal::Json::array()},
                                {"patch", {{"status", "ok"}, {"outcome", {{"versions", versions}}}}}};
      auto sig = k.agent.Sign(journal::Canonical(response));
      timed(journal::kHostResult, {{"intervention", id}, {"host", host}, {"status", "ok"}, {"begin_seq", begin.seq},
            {"packages", versions},
            {"agent", {{"key", crypto::FormatSshPublicKey(k.agent.public_key())},
                       {"sig", crypto::Base64Encode(sig.data(), sig.size())}, {"response", response}}}}, nullptr);
    }
    timed(journal::kInterventionEnd, {{"intervention", id}, {"outcome", "completed"}}, nullptr);
  }
  return latencies;
}

int Verify(const std::string& dir) {
  auto fs = MakePosixFilesystem();
  journal::JournalFiles files = *journal::ReadJournalFiles(*fs, dir);
  journal::VerifyOptions options;
  options.vkeys = {*journal::ParseVerifierKey(*fs->ReadFile(dir + ".vkey"))};
  options.allowed_signers = *crypto::ParseAllowedSigners({"a", *fs->ReadFile(dir + ".allowed")});

  auto start = Steady::now();
  journal::SplitRecords split = journal::SplitRecordLines(files.records);
  journal::MemoryHashes hashes;
  for (size_t i = 0; i < split.lines.size(); ++i) (void)hashes.AppendRecord(static_cast<int64_t>(i), journal::LeafHash(split.lines[i].text));
  (void)journal::TreeHash(static_cast<int64_t>(split.lines.size()), hashes);
  double hash_path = Seconds(Steady::now() - start);

  start = Steady::now();
  for (const journal::LineRef& ref : split.lines) {
    if (!journal::ParseCanonical(ref.text)) std::abort();
  }
  double parse = Seconds(Steady::now() - start);

  start = Steady::now();
  journal::VerifyReport report = journal::VerifyJournal(files, options);
  double full = Seconds(Steady::now() - start);
  if (!report.ok()) {
    std::cerr << "verify failed: " << report.message << "\n";
    return 1;
  }
  double n = static_cast<double>(split.lines.size());
  std::printf("records %.0f  bytes %zu\n", n, files.records.size());
  std::printf("hash path (leaf hashes + tree + root): %.3f s  %.0f records/s\n", hash_path, n / hash_path);
  std::printf("canonical JSON parse + check:          %.3f s  %.0f records/s\n", parse, n / parse);
  std::printf("full verify (incl. %lld operator + %lld agent signatures): %.3f s  %.0f records/s\n",
              static_cast<long long>(report.operator_signatures), static_cast<long long>(report.agent_signatures), full,
              n / full);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if ((mode == "append" || mode == "fill") && argc == 4) {
    auto start = Steady::now();
    std::vector<double> lat = Write(argv[2], std::stol(argv[3]));
    double total = Seconds(Steady::now() - start);
    std::sort(lat.begin(), lat.end());
    std::printf("%zu appends in %.2f s: %.0f appends/s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", lat.size(),
                total, static_cast<double>(lat.size()) / total, lat[lat.size() / 2] * 1e3,
                lat[lat.size() * 99 / 100] * 1e3, lat.back() * 1e3);
    return 0;
  }
  if (mode == "verify" && argc == 3) return Verify(argv[2]);
  std::cerr << "usage: journal_bench append|fill DIR N | journal_bench verify DIR\n";
  return 2;
}
