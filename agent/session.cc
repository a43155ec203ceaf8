#include "agent/session.h"

#include "agent/intervention_session.h"
#include "core/base/version.h"
#include "core/protocol/messages.h"

namespace daybook::agent {
namespace {

// What the log line says about an answer beyond its type.
std::string Outcome(const protocol::Json& response) {
  const std::string type = response.value("type", "");
  if (type == "error") return "(" + response.value("code", std::string("?")) + ")";
  if (type == "apply.result") {
    std::string out;
    if (response["patch"].is_object()) out += " patch " + response["patch"].value("status", std::string("?"));
    for (const auto& d : response["deploys"]) out += " " + Outcome(d).substr(1, Outcome(d).size() - 2);
    if (response.value("reboot", "") == "scheduled") out += " reboot";
    return "(" + response.value("status", std::string("?")) + ":" + out + ")";
  }
  if (type == "deploy.result") {
    std::string to = response["to"].is_string() ? response["to"].get<std::string>().substr(0, 12) : "-";
    return "(" + response.value("name", std::string("?")) + " " + to + " " + response.value("status", std::string("?")) + ")";
  }
  return "";
}

}  // namespace

protocol::Json Answer(const SessionContext& context, InterventionSession* deploy, const protocol::Json& request) {
  const std::string type = request.value("type", "");
  if (type == "hello") {
    std::optional<int> version = protocol::NegotiateVersion(request);
    if (!version) return protocol::ErrorMessage("unsupported_protocol", "this agent speaks protocol 1");
    return {{"type", "hello"}, {"protocol", *version}, {"agent", std::string("daybook-agent ") + kVersion}};
  }
  if (type == "facts") return {{"type", "facts"}, {"facts", context.facts()}};
  if (deploy != nullptr) {
    if (std::optional<protocol::Json> answer = deploy->Answer(request)) return *answer;
  }
  return protocol::ErrorMessage("unknown_type", "unknown message type \"" + type + "\"");
}

std::string ServeSession(const SessionContext& context, transport::Stream& stream) {
  protocol::FrameDecoder decoder(context.max_frame);
  std::unique_ptr<InterventionSession> deploy;
  if (context.interventions != nullptr) deploy = std::make_unique<InterventionSession>(*context.interventions);
  std::string summary;
  for (;;) {
    while (std::optional<Result<protocol::Json>> frame = decoder.Next()) {
      if (!*frame) {
        // The stream cannot be resynchronised: answer, then end the session.
        protocol::Json error = protocol::ErrorMessage("bad_frame", frame->error().message);
        (void)stream.Write(protocol::EncodeFrame(protocol::SignResponse(error, *context.host_key)));
        return summary + (summary.empty() ? "" : ",") + "error: " + frame->error().message;
      }
      protocol::Json response = Answer(context, deploy.get(), **frame);
      std::string type = (*frame)->value("type", std::string("?"));
      // pack.data comes by the hundred: only its errors make the log line.
      if (type != "pack.data" || response.value("type", "") == "error") {
        summary += (summary.empty() ? "" : ",") + type + Outcome(response);
      }
      Status written = stream.Write(protocol::EncodeFrame(protocol::SignResponse(response, *context.host_key)));
      // A reboot the answer announced runs now, even if the controller went
      // away: the result is already on disk.
      if (std::string after = deploy ? deploy->AfterAnswer() : ""; !after.empty()) summary += "," + after;
      if (!written) return summary + ",error: " + written.error().message;
    }
    Result<std::string> bytes = stream.Read(1 << 16, context.idle_timeout);
    if (!bytes) return summary + (summary.empty() ? "" : ",") + "error: " + bytes.error().message;
    if (bytes->empty()) return summary.empty() ? "no request" : summary;
    decoder.Feed(*bytes);
  }
}

}  // namespace daybook::agent
