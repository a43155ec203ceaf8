#include "core/journal/merkle.h"

#include <bit>

namespace daybook::journal {
namespace {

// k = the largest power of two smaller than n (n > 1), and log2(k).
std::pair<int64_t, int> MaxPow2(int64_t n) {
  int level = 0;
  while ((int64_t{1} << (level + 1)) < n) ++level;
  return {int64_t{1} << level, level};
}

Error BadMath(const std::string& what) { return MakeError(ErrorCode::kInternal, "merkle: " + what); }

// The stored-hash indexes that make up MTH(D[lo:hi]): a left-to-right run of
// complete, aligned subtrees.
Result<std::vector<int64_t>> SubtreeIndexes(int64_t lo, int64_t hi) {
  std::vector<int64_t> need;
  while (lo < hi) {
    auto [k, level] = MaxPow2(hi - lo + 1);
    if ((lo & (k - 1)) != 0) return BadMath("unaligned subtree");
    need.push_back(StoredHashIndex(level, lo >> level));
    lo += k;
  }
  return need;
}

// MTH(D[lo:hi]) from stored hashes.
Result<Hash> SubtreeHash(int64_t lo, int64_t hi, const HashReader& reader) {
  if (lo >= hi) return BadMath("empty subtree");
  Result<std::vector<int64_t>> indexes = SubtreeIndexes(lo, hi);
  if (!indexes) return std::move(indexes).error();
  Result<std::vector<Hash>> hashes = reader.ReadHashes(*indexes);
  if (!hashes) return std::move(hashes).error();
  Hash h = hashes->back();
  for (size_t i = hashes->size() - 1; i-- > 0;) h = NodeHash((*hashes)[i], h);
  return h;
}

// PATH(m, D[lo:hi]), appended to `proof`.
Status Path(int64_t m, int64_t lo, int64_t hi, const HashReader& reader, Proof& proof) {
  if (hi - lo <= 1) return OkStatus();
  int64_t k = MaxPow2(hi - lo).first;
  Result<Hash> sibling = m < k ? SubtreeHash(lo + k, hi, reader) : SubtreeHash(lo, lo + k, reader);
  if (!sibling) return std::move(sibling).error();
  Status inner = m < k ? Path(m, lo, lo + k, reader, proof) : Path(m - k, lo + k, hi, reader, proof);
  if (!inner) return inner;
  proof.push_back(*sibling);
  return OkStatus();
}

// SUBPROOF(m, D[lo:hi], complete), appended to `proof`.
Status SubProof(int64_t m, int64_t lo, int64_t hi, bool complete, const HashReader& reader, Proof& proof) {
  int64_t n = hi - lo;
  if (m == n) {
    if (complete) return OkStatus();
    Result<Hash> h = SubtreeHash(lo, hi, reader);
    if (!h) return std::move(h).error();
    proof.push_back(*h);
    return OkStatus();
  }
  int64_t k = MaxPow2(n).first;
  if (m <= k) {
    if (Status s = SubProof(m, lo, lo + k, complete, reader, proof); !s) return s;
    Result<Hash> right = SubtreeHash(lo + k, hi, reader);
    if (!right) return std::move(right).error();
    proof.push_back(*right);
  } else {
    if (Status s = SubProof(m - k, lo + k, hi, false, reader, proof); !s) return s;
    Result<Hash> left = SubtreeHash(lo, lo + k, reader);
    if (!left) return std::move(left).error();
    proof.push_back(*left);
  }
  return OkStatus();
}

bool Lsb(int64_t x) { return (x & 1) != 0; }

}  // namespace

Hash LeafHash(std::string_view leaf) {
  crypto::Sha256Hasher hasher;
  const uint8_t prefix = 0x00;
  hasher.Update(&prefix, 1);
  hasher.Update(leaf);
  return hasher.Finish();
}

Hash NodeHash(const Hash& left, const Hash& right) {
  uint8_t buf[65];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  return crypto::Sha256(buf, sizeof buf);
}

Hash EmptyTreeHash() { return crypto::Sha256(std::string_view{}); }

int64_t StoredHashIndex(int level, int64_t n) {
  // Level L's n-th hash is written right after level L+1's (2n+1)-th hash:
  // walk down to level 0, where hash n sits at n + n/2 + n/4 + ...
  for (int l = level; l > 0; --l) n = 2 * n + 1;
  int64_t i = 0;
  for (; n > 0; n >>= 1) i += n;
  return i + level;
}

int64_t StoredHashCount(int64_t n) {
  if (n == 0) return 0;
  int64_t count = StoredHashIndex(0, n - 1) + 1;
  for (uint64_t i = static_cast<uint64_t>(n - 1); (i & 1) != 0; i >>= 1) ++count;
  return count;
}

Result<std::vector<Hash>> MemoryHashes::ReadHashes(const std::vector<int64_t>& indexes) const {
  std::vector<Hash> out;
  out.reserve(indexes.size());
  for (int64_t i : indexes) {
    if (i < 0 || static_cast<size_t>(i) >= hashes_.size()) return BadMath("stored hash out of range");
    out.push_back(hashes_[static_cast<size_t>(i)]);
  }
  return out;
}

Status MemoryHashes::AppendRecord(int64_t n, const Hash& leaf_hash) {
  if (static_cast<int64_t>(hashes_.size()) != StoredHashCount(n)) return BadMath("append out of order");
  Result<std::vector<Hash>> add = StoredHashesForRecord(n, leaf_hash, *this);
  if (!add) return std::move(add).error();
  hashes_.insert(hashes_.end(), add->begin(), add->end());
  return OkStatus();
}

void MemoryHashes::Load(std::string_view bytes) {
  hashes_.resize(bytes.size() / 32);
  for (size_t i = 0; i < hashes_.size(); ++i) std::copy_n(bytes.data() + i * 32, 32, hashes_[i].data());
}

std::string MemoryHashes::Bytes(size_t from) const {
  std::string out;
  for (size_t i = from; i < hashes_.size(); ++i) out.append(reinterpret_cast<const char*>(hashes_[i].data()), 32);
  return out;
}

Result<std::vector<Hash>> StoredHashesForRecord(int64_t n, const Hash& leaf_hash, const HashReader& reader) {
  // Each trailing 1 bit of n completes a subtree, whose left half is stored.
  int m = std::countr_zero(static_cast<uint64_t>(n + 1));
  std::vector<int64_t> indexes(static_cast<size_t>(m));
  for (int i = 0; i < m; ++i) indexes[static_cast<size_t>(m - 1 - i)] = StoredHashIndex(i, (n >> i) - 1);
  Result<std::vector<Hash>> old = reader.ReadHashes(indexes);
  if (!old) return std::move(old).error();
  std::vector<Hash> out{leaf_hash};
  Hash h = leaf_hash;
  for (int i = 0; i < m; ++i) {
    h = NodeHash((*old)[static_cast<size_t>(m - 1 - i)], h);
    out.push_back(h);
  }
  return out;
}

Result<Hash> TreeHash(int64_t n, const HashReader& reader) {
  if (n == 0) return EmptyTreeHash();
  return SubtreeHash(0, n, reader);
}

Result<Proof> InclusionProof(int64_t index, int64_t size, const HashReader& reader) {
  if (index < 0 || index >= size) return MakeError(ErrorCode::kInvalidInput, "leaf index outside the tree");
  Proof proof;
  if (Status s = Path(index, 0, size, reader, proof); !s) return std::move(s).error();
  return proof;
}

Result<Proof> ConsistencyProof(int64_t old_size, int64_t size, const HashReader& reader) {
  if (old_size <= 0 || old_size > size) return MakeError(ErrorCode::kInvalidInput, "bad tree sizes for a consistency proof");
  Proof proof;
  if (Status s = SubProof(old_size, 0, size, true, reader, proof); !s) return std::move(s).error();
  return proof;
}

bool VerifyInclusion(int64_t index, int64_t size, const Hash& leaf_hash, const Proof& proof, const Hash& root) {
  if (index < 0 || index >= size) return false;
  int64_t fn = index, sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if (Lsb(fn) || fn == sn) {
      r = NodeHash(p, r);
      if (!Lsb(fn)) {
        while (!Lsb(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(int64_t old_size, int64_t size, const Hash& old_root, const Hash& root, const Proof& proof) {
  if (old_size <= 0 || old_size > size) return false;
  if (old_size == size) return proof.empty() && old_root == root;
  if (proof.empty()) return false;
  Proof path = proof;
  if (std::has_single_bit(static_cast<uint64_t>(old_size))) path.insert(path.begin(), old_root);
  int64_t fn = old_size - 1, sn = size - 1;
  while (Lsb(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if (Lsb(fn) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if (!Lsb(fn)) {
        while (!Lsb(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && fr == old_root && sr == root;
}

}  // namespace daybook::journal
