#include "controller/deploy_client.h"

#include <algorithm>

#include "core/crypto/encoding.h"
#include "core/schema/json_reader.h"

namespace daybook::controller {

using protocol::Json;

Json DeployStatusRequest(const Json& deploys, bool drift) {
  return {{"type", "deploy.status"}, {"deploys", deploys}, {"drift", drift}};
}

Result<Json> QueryDeploys(transport::Connection& connection, const Json& deploys, bool drift) {
  return AgentClient::Call(connection, DeployStatusRequest(deploys, drift));
}

Result<Shipped> ShipCommit(transport::Connection& connection, PackCache& packs, const ResolvedDeploy& deploy,
                           const std::vector<std::string>& haves) {
  const std::string& commit = deploy.target.commit;
  if (std::find(haves.begin(), haves.end(), commit) != haves.end()) return Shipped{};
  std::shared_ptr<const CachedPack> cached = packs.Get(deploy.repo, commit, haves);
  if (!cached->pack) return cached->pack.error();
  const repo::Pack* pack = &*cached->pack;
  using Steady = std::chrono::steady_clock;
  auto start = Steady::now();
  Result<Json> ready = AgentClient::Call(connection, {{"type", "pack.begin"}});
  if (!ready) return ready.error();
  // The agent's wish, kept within sane bounds (0 would never finish).
  int64_t wanted = schema::IntOr(*ready, "max_chunk", static_cast<int64_t>(kShipChunk));
  size_t chunk = static_cast<size_t>(std::clamp<int64_t>(wanted, 4096, static_cast<int64_t>(kShipChunk)));
  for (size_t at = 0; at < pack->bytes.size(); at += chunk) {
    size_t n = std::min(chunk, pack->bytes.size() - at);
    std::string data = crypto::Base64Encode(reinterpret_cast<const uint8_t*>(pack->bytes.data() + at), n);
    Result<Json> ack = AgentClient::Call(connection, {{"type", "pack.data"}, {"data", std::move(data)}});
    if (!ack) return ack.error();
  }
  Result<Json> indexed = AgentClient::Call(connection, {{"type", "pack.end"}});
  if (!indexed) return indexed.error();
  auto send_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start).count();
  return Shipped{pack->objects, pack->bytes.size(), cached->build_ms, send_ms};
}

Json ApplyRequest(const std::string& intervention, const Json& patch, const std::vector<ResolvedDeploy>& deploys,
                  std::chrono::milliseconds timeout) {
  Json list = Json::array();
  for (const ResolvedDeploy& d : deploys) {
    list.push_back({{"name", d.spec.name}, {"path", d.spec.path}, {"commit", d.target.commit}, {"keep", d.spec.keep},
                    {"after", d.spec.after}, {"timeout_ms", timeout.count()}});
  }
  Json request = {{"type", "apply"}, {"intervention", intervention}, {"deploys", list}};
  if (!patch.is_null()) request["patch"] = patch;
  return request;
}

}  // namespace daybook::controller
