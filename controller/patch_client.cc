#include "controller/patch_client.h"

#include <thread>

#include "controller/fleet_session.h"
#include "core/protocol/messages.h"
#include "core/schema/json_reader.h"

namespace daybook::controller {

using protocol::Json;

Json PatchRequestJson(const manifest::Manifest& manifest) {
  if (!manifest.patch) return nullptr;
  // Policy none touches no package; with reboot = "always" the agents still
  // reboot (a rolling reboot), so the request goes out.
  if (manifest.patch->policy == manifest::PatchPolicy::kNone && manifest.patch->reboot != manifest::RebootPolicy::kAlways) {
    return nullptr;
  }
  const manifest::PatchSpec& p = *manifest.patch;
  return {{"policy", std::string(manifest::ToString(p.policy))}, {"exclude", p.exclude},
          {"reboot", std::string(manifest::ToString(p.reboot))}, {"allow_other_origins", p.allow_other_origins}};
}

std::string BootId(transport::Connection& connection) {
  Result<Json> facts = AgentClient::Call(connection, protocol::FactsRequest());
  if (!facts) return "";
  return schema::StringOr(schema::MemberOr(*facts, "facts"), "boot_id");
}

Result<std::string> WaitForReboot(AgentClient& client, const inventory::Host& host, const std::string& before,
                                  const std::string& intervention, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    Result<std::unique_ptr<transport::Connection>> connection = ConnectAgent(client, host);
    if (connection) {
      Result<Json> facts = AgentClient::Call(**connection, protocol::FactsRequest());
      const Json& got = facts ? schema::MemberOr(*facts, "facts") : Json();
      std::string now = schema::StringOr(got, "boot_id");
      if (!now.empty() && now != before) return now;
      const Json& failure = schema::MemberOr(got, "reboot_failure");
      if (!intervention.empty() && schema::StringOr(failure, "intervention") == intervention) {
        return MakeError(ErrorCode::kFailed, "the host did not reboot: " + schema::StringOr(failure, "error"));
      }
    } else if (connection.error().message.find("host key: ") != std::string::npos) {
      // It answers, with a key not pinned (transport/ssh_client.h names
      // the step): no later try can succeed, and waiting would hide why.
      return std::move(connection).error().WithContext("after the reboot");
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return MakeError(ErrorCode::kFailed, "did not come back with a new boot id within " +
                                           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
                                           "s after the reboot");
}

}  // namespace daybook::controller
