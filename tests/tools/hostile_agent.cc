// Test tool: an agent that a compromised host would run. It speaks real SSH
// (the same libssh server), signs every answer with its real host key (so
// answers pass the controller's signature check), and answers with what
// the scenario asks for:
//   wrong-types   every answer has the right "type" but fields of the wrong
//                 type ("deploys": "yes", "boot_id": 7, ...)
//   control-chars facts whose host name, OS and kernel hold terminal escape
//                 sequences, and an error answer full of them
//   unknown-type  answers of a type the controller does not know
//   huge-chunk    pack.ready with max_chunk 0 (a controller that trusts it
//                 would never finish sending)
//   hostile-hello a hello whose agent string is 1 MB of escape sequences
//   hostile_agent CONFIG_DIR MODE
// CONFIG_DIR holds authorized_operators; the host key is created there.
// Prints "listening on 127.0.0.1:PORT". Not installed; tests only.
#include <iostream>
#include <string>

#include "core/base/filesystem.h"
#include "core/protocol/frame.h"
#include "core/protocol/messages.h"
#include "core/schema/json_reader.h"
#include "core/transport/host_key.h"
#include "core/transport/ssh_server.h"

using namespace daybook;
using protocol::Json;

namespace {

const std::string kEscapes = "evil\x1b]0;pwned\x07\x1b[2J\x1b[31m\r\n\xc2\x9b";

Json Hostile(const std::string& mode, const Json& request) {
  std::string type = schema::StringOr(request, "type");
  if (mode == "hostile-hello" && type == "hello") {
    std::string agent;
    while (agent.size() < (1u << 20)) agent += "\x1b[2J\x1b]0;x\x07";
    return {{"type", "hello"}, {"protocol", 1}, {"agent", agent}};
  }
  if (type == "hello") return {{"type", "hello"}, {"protocol", 1}, {"agent", "daybook-agent hostile"}};
  if (mode == "unknown-type") return {{"type", "surprise"}, {"deploys", Json::array()}};
  if (mode == "control-chars") {
    if (type == "facts") {
      return {{"type", "facts"},
              {"facts", {{"agent_version", kEscapes}, {"hostname", kEscapes}, {"os_id", kEscapes}, {"os_version", "12"},
                         {"os_name", kEscapes}, {"kernel", kEscapes}, {"boot_id", kEscapes}, {"uptime_s", 1},
                         {"package_backend", "none"}, {"reboot_required", false}}}};
    }
    return {{"type", "error"}, {"code", kEscapes}, {"message", "refused " + kEscapes}};
  }
  if (mode == "huge-chunk") {
    if (type == "deploy.status") return {{"type", "deploy.status"}, {"deploys", Json::array()}, {"have", Json::array()}};
    if (type == "pack.begin") return {{"type", "pack.ready"}, {"max_chunk", 0}};
    if (type == "pack.data") return {{"type", "pack.ack"}, {"bytes", 1}};
    return {{"type", "error"}, {"code", "bad_request"}, {"message", "hostile agent stops here"}};
  }
  // wrong-types
  if (type == "facts") return {{"type", "facts"}, {"facts", {{"boot_id", 7}, {"hostname", true}, {"reboot_required", "yes"}}}};
  if (type == "deploy.status") return {{"type", "deploy.status"}, {"deploys", "yes"}, {"have", 3}};
  if (type == "patch.plan") return {{"type", "patch.plan"}, {"plan", {{"changes", {{{"name", 1}}}}}}, {"error", nullptr}};
  if (type == "apply") return {{"type", "apply.result"}, {"intervention", 5}, {"status", true}, {"deploys", "none"}};
  if (type == "deploy.rollback") return {{"type", "deploy.result"}, {"status", 1}, {"name", Json::array()}};
  return {{"type", "error"}, {"code", 404}, {"message", Json::object()}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: hostile_agent CONFIG_DIR MODE\n";
    return 2;
  }
  std::string dir = argv[1], mode = argv[2];
  auto fs = MakePosixFilesystem();
  bool created = false;
  Result<transport::HostKey> key = transport::LoadOrCreateHostKey(*fs, dir + "/host_key", created);
  if (!key) {
    std::cerr << key.error().message << "\n";
    return 1;
  }
  Result<std::string> operators = fs->ReadFile(dir + "/authorized_operators");
  transport::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.authorize = [&](const crypto::Ed25519Public&) { return operators.ok(); };  // any key: it is hostile
  options.serve = [&](const transport::SessionInfo&, transport::Stream& stream) {
    protocol::FrameDecoder decoder;
    for (;;) {
      while (std::optional<Result<Json>> frame = decoder.Next()) {
        if (!*frame) return std::string("bad frame");
        Json answer = protocol::SignResponse(Hostile(mode, **frame), key->key);
        if (!stream.Write(protocol::EncodeFrame(answer))) return std::string("write failed");
      }
      Result<std::string> bytes = stream.Read(1 << 16, std::chrono::seconds(30));
      if (!bytes || bytes->empty()) return std::string("done");
      decoder.Feed(*bytes);
    }
  };
  Result<std::unique_ptr<transport::SshServer>> server = transport::SshServer::Listen(*key, options);
  if (!server) {
    std::cerr << server.error().message << "\n";
    return 1;
  }
  std::cout << "listening on 127.0.0.1:" << (*server)->port() << std::endl;
  (*server)->Run();
  return 0;
}
