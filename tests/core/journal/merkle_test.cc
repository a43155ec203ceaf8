#include "core/journal/merkle.h"

#include <doctest/doctest.h>

#include "core/crypto/encoding.h"

using namespace daybook;
using namespace daybook::journal;

namespace {

std::string Hex(const Hash& h) { return crypto::HexEncode(h.data(), h.size()); }

// The RFC 6962 definition, recursively, straight from the leaves.
Hash ReferenceRoot(const std::vector<std::string>& leaves, size_t lo, size_t hi) {
  if (hi - lo == 1) return LeafHash(leaves[lo]);
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return NodeHash(ReferenceRoot(leaves, lo, lo + k), ReferenceRoot(leaves, lo + k, hi));
}

// The CT 8-leaf vector.
std::vector<std::string> CtLeaves() {
  std::vector<std::string> out;
  for (const char* hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f"}) {
    out.push_back(crypto::ToString(*crypto::HexDecode(hex)));
  }
  return out;
}

MemoryHashes Build(const std::vector<std::string>& leaves) {
  MemoryHashes hashes;
  for (size_t i = 0; i < leaves.size(); ++i) REQUIRE(hashes.AppendRecord(static_cast<int64_t>(i), LeafHash(leaves[i])).ok());
  return hashes;
}

}  // namespace

TEST_CASE("merkle: known answers (RFC 6962, transparency-dev/merkle)") {
  CHECK(Hex(EmptyTreeHash()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Hex(LeafHash("")) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  CHECK(Hex(LeafHash("L123456")) == "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
  std::vector<std::string> leaves = CtLeaves();
  MemoryHashes hashes = Build(leaves);
  const char* prefixes[] = {"6e340b9c", "fac54203", "aeb6bcfe", "d37ee418", "4e3bbb1f", "76e67dad", "ddb89be4", "5dc9da79"};
  for (int64_t n = 1; n <= 8; ++n) {
    CAPTURE(n);
    CHECK(Hex(*TreeHash(n, hashes)).substr(0, 8) == prefixes[n - 1]);
  }
  CHECK(Hex(*TreeHash(8, hashes)) == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  CHECK(*TreeHash(0, hashes) == EmptyTreeHash());
}

TEST_CASE("merkle: node hash of two strings, as the Go and transparency-dev tests use") {
  // node("N123","N456") hashes 0x01 || "N123" || "N456": the inputs are the
  // raw 4-byte strings, so compute it through the same primitive.
  std::string data = std::string(1, '\x01') + "N123N456";
  crypto::Sha256Digest d = crypto::Sha256(data);
  CHECK(crypto::HexEncode(d.data(), d.size()) == "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb");
}

TEST_CASE("merkle: stored layout matches the reference roots for every size up to 200") {
  std::vector<std::string> leaves;
  for (int i = 0; i < 200; ++i) leaves.push_back("leaf " + std::to_string(i));
  MemoryHashes hashes = Build(leaves);
  CHECK(static_cast<int64_t>(hashes.all().size()) == StoredHashCount(200));
  for (size_t n = 1; n <= leaves.size(); ++n) {
    CAPTURE(n);
    CHECK(*TreeHash(static_cast<int64_t>(n), hashes) == ReferenceRoot(leaves, 0, n));
  }
}

TEST_CASE("merkle: inclusion proofs for sizes 1..64, every leaf, a flipped bit in any byte fails") {
  std::vector<std::string> leaves;
  for (int i = 0; i < 64; ++i) leaves.push_back("record " + std::to_string(i));
  MemoryHashes hashes = Build(leaves);
  int64_t checked = 0, flips = 0;
  for (int64_t n = 1; n <= 64; ++n) {
    Hash root = *TreeHash(n, hashes);
    for (int64_t m = 0; m < n; ++m) {
      Result<Proof> proof = InclusionProof(m, n, hashes);
      REQUIRE(proof.ok());
      Hash leaf = LeafHash(leaves[static_cast<size_t>(m)]);
      REQUIRE(VerifyInclusion(m, n, leaf, *proof, root));
      ++checked;
      if (n > 1 && (m ^ 1) < n) CHECK_FALSE(VerifyInclusion(m ^ 1, n, leaf, *proof, root));
      CHECK_FALSE(VerifyInclusion(m, n, LeafHash("forged"), *proof, root));
      if (!proof->empty()) {
        Proof shorter(proof->begin(), proof->end() - 1);
        CHECK_FALSE(VerifyInclusion(m, n, leaf, shorter, root));
      }
      Proof longer = *proof;
      longer.push_back(root);
      CHECK_FALSE(VerifyInclusion(m, n, leaf, longer, root));
      for (size_t p = 0; p < proof->size(); ++p) {
        for (size_t byte = 0; byte < 32; ++byte) {  // one bit per byte, each bit position in turn
          Proof bad = *proof;
          bad[p][byte] ^= static_cast<uint8_t>(1 << (byte % 8));
          if (VerifyInclusion(m, n, leaf, bad, root)) FAIL("flip accepted n=", n, " m=", m, " p=", p);
          ++flips;
        }
      }
    }
  }
  CHECK(checked == 64 * 65 / 2);
  MESSAGE("inclusion: " << checked << " proofs, " << flips << " flipped bytes all rejected");
}

TEST_CASE("merkle: consistency proofs for sizes 1..64, every pair, a flipped bit in any byte fails") {
  std::vector<std::string> leaves;
  for (int i = 0; i < 64; ++i) leaves.push_back("record " + std::to_string(i));
  MemoryHashes hashes = Build(leaves);
  int64_t flips = 0;
  for (int64_t n = 1; n <= 64; ++n) {
    Hash root = *TreeHash(n, hashes);
    for (int64_t m = 1; m <= n; ++m) {
      Hash old_root = *TreeHash(m, hashes);
      Result<Proof> proof = ConsistencyProof(m, n, hashes);
      REQUIRE(proof.ok());
      REQUIRE(VerifyConsistency(m, n, old_root, root, *proof));
      if (m == n) continue;
      CHECK_FALSE(VerifyConsistency(m, n, root, old_root, *proof));  // swapped roots
      CHECK_FALSE(VerifyConsistency(m, n, old_root, root, {}));
      for (size_t p = 0; p < proof->size(); ++p) {
        for (size_t byte = 0; byte < 32; ++byte) {
          Proof bad = *proof;
          bad[p][byte] ^= static_cast<uint8_t>(1 << (byte % 8));
          if (VerifyConsistency(m, n, old_root, root, bad)) FAIL("flip accepted m=", m, " n=", n, " p=", p);
          ++flips;
        }
      }
    }
  }
  MESSAGE("consistency: " << flips << " flipped bytes all rejected");
}

TEST_CASE("merkle: a forked history fails consistency") {
  std::vector<std::string> a{"a", "b", "c", "d", "e"}, b{"a", "b", "X", "d", "e", "f"};
  MemoryHashes ha = Build(a), hb = Build(b);
  Result<Proof> proof = ConsistencyProof(5, 6, hb);
  REQUIRE(proof.ok());
  CHECK_FALSE(VerifyConsistency(5, 6, *TreeHash(5, ha), *TreeHash(6, hb), *proof));
}
