// RFC 6962 Merkle tree hashing (SHA-256, 0x00 leaf / 0x01 node prefixes),
// the stored-hash layout of Go's golang.org/x/mod/sumdb/tlog (every level's
// hashes kept in one sequential array, so an append writes ~2 hashes and
// reads at most log2(n)), and inclusion and consistency proofs with their
// RFC 9162 §2.1.3.2 / §2.1.4.2 verification algorithms.
//
// Stored layout: the hashes of record n are its leaf hash followed by the
// hashes of every subtree that record n completes. StoredHashIndex(level, i)
// is where the i-th hash of `level` lives in that array.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/crypto/hash.h"

namespace daybook::journal {

using Hash = crypto::Sha256Digest;

Hash LeafHash(std::string_view leaf);
Hash NodeHash(const Hash& left, const Hash& right);
Hash EmptyTreeHash();  // SHA-256 of the empty string

int64_t StoredHashIndex(int level, int64_t n);
// How many stored hashes a tree of `n` records has.
int64_t StoredHashCount(int64_t n);

// Random access to stored hashes (a file, or memory).
class HashReader {
 public:
  virtual ~HashReader() = default;
  virtual Result<std::vector<Hash>> ReadHashes(const std::vector<int64_t>& indexes) const = 0;
};

// Stored hashes held in memory, as the verifier rebuilds them.
class MemoryHashes final : public HashReader {
 public:
  Result<std::vector<Hash>> ReadHashes(const std::vector<int64_t>& indexes) const override;
  // Appends record n's hashes (n must be the current record count).
  Status AppendRecord(int64_t n, const Hash& leaf_hash);
  const std::vector<Hash>& all() const { return hashes_; }
  // Loads whole hashes from the stored file bytes (a torn last hash is dropped).
  void Load(std::string_view bytes);
  void Truncate(size_t count) { hashes_.resize(std::min(count, hashes_.size())); }
  std::string Bytes(size_t from) const;  // stored form of hashes [from, end)

 private:
  std::vector<Hash> hashes_;
};

// The hashes to append to storage for record `n`, given its leaf hash.
Result<std::vector<Hash>> StoredHashesForRecord(int64_t n, const Hash& leaf_hash, const HashReader& reader);

// MTH of the first `n` records.
Result<Hash> TreeHash(int64_t n, const HashReader& reader);

using Proof = std::vector<Hash>;

// PATH(index, D[0:size]) of RFC 6962 §2.1.1.
Result<Proof> InclusionProof(int64_t index, int64_t size, const HashReader& reader);
// PROOF(old_size, D[0:size]) of RFC 6962 §2.1.2; 0 < old_size <= size.
Result<Proof> ConsistencyProof(int64_t old_size, int64_t size, const HashReader& reader);

bool VerifyInclusion(int64_t index, int64_t size, const Hash& leaf_hash, const Proof& proof, const Hash& root);
bool VerifyConsistency(int64_t old_size, int64_t size, const Hash& old_root, const Hash& root, const Proof& proof);

}  // namespace daybook::journal
