// Connection over libssh 0.10 (notes/deps-debian12.md §2, client part):
// no ~/.ssh/config, ssh-ed25519 host keys only, NODELAY, writes of at most
// the window size with reads in between (pitfall 3), orderly close.
#include <libssh/libssh.h>

#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/transport/libssh_init.h"
#include "core/transport/ssh_client.h"

namespace daybook::transport {
namespace {

using Steady = std::chrono::steady_clock;

class LibsshConnection final : public Connection {
 public:
  LibsshConnection(ssh_session session, ssh_channel channel, crypto::Ed25519Public key, const ClientOptions& options)
      : session_(session), channel_(channel), key_(key), timeout_(options.request_timeout), decoder_(options.max_frame) {}

  ~LibsshConnection() override {
    ssh_channel_send_eof(channel_);
    char buf[4096];
    auto until = Steady::now() + std::chrono::seconds(1);
    while (Steady::now() < until && !ssh_channel_is_eof(channel_)) {
      if (ssh_channel_read_timeout(channel_, buf, sizeof buf, 0, 100) < 0) break;
    }
    ssh_channel_close(channel_);
    ssh_channel_free(channel_);
    ssh_disconnect(session_);
    ssh_free(session_);
  }

  const crypto::Ed25519Public& host_key() const override { return key_; }

  Result<protocol::Json> Request(const protocol::Json& request) override {
    return Exchange(protocol::EncodeFrame(request), timeout_);
  }

  Result<protocol::Json> Request(const protocol::Json& request, std::chrono::milliseconds timeout) override {
    return Exchange(protocol::EncodeFrame(request), timeout);
  }

  Result<protocol::Json> RequestRaw(std::string_view bytes) override { return Exchange(bytes, timeout_); }

 private:
  Result<protocol::Json> Exchange(std::string_view bytes, std::chrono::milliseconds timeout) {
    auto deadline = Steady::now() + timeout;
    while (!bytes.empty()) {
      uint32_t window = ssh_channel_window_size(channel_);
      if (window == 0) {
        if (Status s = Pump(deadline, 10); !s) return std::move(s).error();
        continue;
      }
      int n = ssh_channel_write(channel_, bytes.data(), std::min<uint32_t>(window, static_cast<uint32_t>(bytes.size())));
      if (n == SSH_ERROR) return MakeError(ErrorCode::kFailed, std::string("write: ") + ssh_get_error(session_));
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    for (;;) {
      if (std::optional<Result<protocol::Json>> frame = decoder_.Next()) return std::move(*frame);
      if (Steady::now() >= deadline) return MakeError(ErrorCode::kFailed, "timed out waiting for the agent's answer");
      if (ssh_channel_is_eof(channel_)) return MakeError(ErrorCode::kFailed, "the agent closed the channel");
      if (Status s = Pump(deadline, 200); !s) return std::move(s).error();
    }
  }

  // Reads what is available (up to `wait_ms`) into the decoder.
  Status Pump(Steady::time_point deadline, int wait_ms) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
    char buf[1 << 16];
    int n = ssh_channel_read_timeout(channel_, buf, sizeof buf, 0, static_cast<int>(std::max<long>(1, std::min<long>(wait_ms, left))));
    if (n == SSH_ERROR) return MakeError(ErrorCode::kFailed, std::string("read: ") + ssh_get_error(session_));
    if (n > 0) decoder_.Feed(std::string_view(buf, static_cast<size_t>(n)));
    return OkStatus();
  }

  ssh_session session_;
  ssh_channel channel_;
  crypto::Ed25519Public key_;
  std::chrono::milliseconds timeout_;
  protocol::FrameDecoder decoder_;
};

// Frees a session on the error paths of Open.
struct SessionGuard {
  ssh_session session;
  ~SessionGuard() {
    if (session != nullptr) {
      ssh_disconnect(session);
      ssh_free(session);
    }
  }
};

Result<crypto::Ed25519Public> ServerKey(ssh_session session) {
  ssh_key key = nullptr;
  if (ssh_get_server_publickey(session, &key) != SSH_OK) return MakeError(ErrorCode::kFailed, "no server key");
  char* b64 = nullptr;
  int rc = ssh_pki_export_pubkey_base64(key, &b64);
  ssh_key_free(key);
  if (rc != SSH_OK) return MakeError(ErrorCode::kFailed, "cannot read the server key");
  std::optional<crypto::Bytes> blob = crypto::Base64Decode(b64);
  ssh_string_free_char(b64);
  if (!blob) return MakeError(ErrorCode::kFailed, "cannot read the server key");
  return crypto::ParseSshPublicBlob(*blob);
}

Status Authenticate(ssh_session session, const ClientOptions& options) {
  if (options.use_agent && ssh_userauth_agent(session, nullptr) == SSH_AUTH_SUCCESS) return OkStatus();
  if (!options.key_pem.empty()) {
    ssh_key key = nullptr;
    if (ssh_pki_import_privkey_base64(options.key_pem.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
      return MakeError(ErrorCode::kInvalidInput, "cannot load the operator key");
    }
    int rc = ssh_userauth_publickey(session, nullptr, key);
    ssh_key_free(key);
    if (rc == SSH_AUTH_SUCCESS) return OkStatus();
  }
  return MakeError(ErrorCode::kFailed, "permission denied (publickey): no offered key is an authorized operator");
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const ClientOptions& options) {
  InitLibssh();
  SessionGuard guard{ssh_new()};
  ssh_session s = guard.session;
  int port = options.port, zero = 0, one = 1;
  long secs = static_cast<long>(options.connect_timeout.count() / 1000);
  long usecs = static_cast<long>(options.connect_timeout.count() % 1000) * 1000;
  ssh_options_set(s, SSH_OPTIONS_HOST, options.host.c_str());
  ssh_options_set(s, SSH_OPTIONS_PORT, &port);
  ssh_options_set(s, SSH_OPTIONS_USER, "daybook");
  ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &zero);  // no ~/.ssh/config, no /etc/ssh/ssh_config
  ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, "ssh-ed25519");
  ssh_options_set(s, SSH_OPTIONS_NODELAY, &one);           // pitfall 1
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &secs);
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usecs);
  if (ssh_connect(s) != SSH_OK) {
    // Where, as an operator would type it: the port is half of the answer.
    std::string where = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
    return MakeError(ErrorCode::kFailed, "connect: " + where + ":" + std::to_string(options.port) + ": " + ssh_get_error(s));
  }

  Result<crypto::Ed25519Public> key = ServerKey(s);
  if (!key) return std::move(key).error().WithContext("host key");
  if (Status pinned = options.check_host_key(*key); !pinned) return std::move(pinned).error().WithContext("host key");
  if (Status auth = Authenticate(s, options); !auth) return std::move(auth).error().WithContext("authentication");

  ssh_channel channel = ssh_channel_new(s);
  if (channel == nullptr || ssh_channel_open_session(channel) != SSH_OK ||
      ssh_channel_request_subsystem(channel, "daybook") != SSH_OK) {
    std::string why = ssh_get_error(s);
    if (channel != nullptr) ssh_channel_free(channel);
    return MakeError(ErrorCode::kFailed, "daybook subsystem: " + why);
  }
  guard.session = nullptr;
  return std::unique_ptr<Connection>(new LibsshConnection(s, channel, *key, options));
}

}  // namespace daybook::transport
