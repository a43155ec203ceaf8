// SshServer over libssh 0.10 (notes/deps-debian12.md §2). Each session runs
// on its own thread: key exchange and authentication are driven by
// callbacks and an ssh_event until the `daybook` subsystem is open, then the
// stream is plain blocking channel I/O on that thread (no writes inside
// callbacks, pitfall 2). A watchdog cuts connections still not established
// at the end of the login grace time, so half-open or slow clients only ever
// hold their own thread.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>

#include <condition_variable>
#include <map>
#include <set>
#include <mutex>
#include <system_error>
#include <thread>

#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/transport/libssh_init.h"
#include "core/transport/ssh_server.h"

namespace daybook::transport {
namespace {

using Steady = std::chrono::steady_clock;

std::optional<crypto::Ed25519Public> ToEd25519(ssh_key key) {
  if (key == nullptr || ssh_key_type(key) != SSH_KEYTYPE_ED25519) return std::nullopt;
  char* b64 = nullptr;
  if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK) return std::nullopt;
  std::optional<crypto::Bytes> blob = crypto::Base64Decode(b64);
  ssh_string_free_char(b64);
  if (!blob) return std::nullopt;
  Result<crypto::Ed25519Public> pub = crypto::ParseSshPublicBlob(*blob);
  if (!pub) return std::nullopt;
  return *pub;
}

// The peer's address and port; `address` alone when asked (the StartupGate
// counts per address).
std::string PeerOf(int fd, bool address_only = false) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (addr.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
  }
  if (address_only) return host;
  return std::string(host) + ":" + std::to_string(port);
}

// What the callbacks of one session learn.
struct SessionState {
  const ServerOptions* options = nullptr;
  ssh_channel channel = nullptr;
  bool authenticated = false;
  bool subsystem = false;
  bool peer_closed = false;
  int auth_failures = 0;
  bool too_many_auth = false;
  std::string refused;  // the last refused request, for the log
  SessionInfo info;
  // Both stay registered with libssh for the whole session: they live here,
  // not on the stack of the function that registers them.
  ssh_server_callbacks_struct server_callbacks{};
  ssh_channel_callbacks_struct channel_callbacks{};
};

int OnAuthPubkey(ssh_session, const char*, struct ssh_key_struct* key, char state, void* userdata) {
  auto* st = static_cast<SessionState*>(userdata);
  std::optional<crypto::Ed25519Public> pub = ToEd25519(key);
  if (st->too_many_auth) return SSH_AUTH_DENIED;
  if (!pub || !st->options->authorize(*pub)) {
    st->refused = "key not authorized" + (pub ? " (" + crypto::SshFingerprint(*pub) + ")" : std::string());
    // OpenSSH's MaxAuthTries: the connection is cut after this many failures.
    if (++st->auth_failures >= st->options->max_auth_tries) st->too_many_auth = true;
    return SSH_AUTH_DENIED;
  }
  if (state == SSH_PUBLICKEY_STATE_NONE) return SSH_AUTH_SUCCESS;  // the probe: answer PK_OK
  if (state != SSH_PUBLICKEY_STATE_VALID) {                         // a wrong signature must not pass
    st->refused = "bad public key signature";
    if (++st->auth_failures >= st->options->max_auth_tries) st->too_many_auth = true;
    return SSH_AUTH_DENIED;
  }
  st->authenticated = true;
  st->info.operator_fingerprint = crypto::SshFingerprint(*pub);
  return SSH_AUTH_SUCCESS;
}

int OnSubsystem(ssh_session, ssh_channel, const char* name, void* userdata) {
  auto* st = static_cast<SessionState*>(userdata);
  if (std::string_view(name) == "daybook" && !st->subsystem) {
    st->subsystem = true;
    return 0;
  }
  st->refused = std::string("subsystem ") + name;
  return 1;
}

int OnExec(ssh_session, ssh_channel, const char*, void* userdata) {
  static_cast<SessionState*>(userdata)->refused = "exec";
  return 1;
}

int OnShell(ssh_session, ssh_channel, void* userdata) {
  static_cast<SessionState*>(userdata)->refused = "shell";
  return 1;
}

int OnPty(ssh_session, ssh_channel, const char*, int, int, int, int, void* userdata) {
  static_cast<SessionState*>(userdata)->refused = "pty";
  return -1;
}

void OnClose(ssh_session, ssh_channel, void* userdata) { static_cast<SessionState*>(userdata)->peer_closed = true; }

ssh_channel OnChannelOpen(ssh_session session, void* userdata) {
  auto* st = static_cast<SessionState*>(userdata);
  if (!st->authenticated || st->channel != nullptr) return nullptr;  // one session channel, after auth
  st->channel = ssh_channel_new(session);
  if (st->channel == nullptr) return nullptr;
  st->channel_callbacks = {};
  st->channel_callbacks.userdata = st;
  st->channel_callbacks.channel_subsystem_request_function = OnSubsystem;
  st->channel_callbacks.channel_exec_request_function = OnExec;
  st->channel_callbacks.channel_shell_request_function = OnShell;
  st->channel_callbacks.channel_pty_request_function = OnPty;
  st->channel_callbacks.channel_close_function = OnClose;
  ssh_callbacks_init(&st->channel_callbacks);
  ssh_set_channel_callbacks(st->channel, &st->channel_callbacks);
  return st->channel;
}

class ChannelStream final : public Stream {
 public:
  explicit ChannelStream(ssh_channel channel) : channel_(channel) {}

  Result<std::string> Read(size_t max, std::chrono::milliseconds timeout) override {
    std::string buf(std::min<size_t>(max, 1 << 16), '\0');
    int n = ssh_channel_read_timeout(channel_, buf.data(), static_cast<uint32_t>(buf.size()), 0,
                                     static_cast<int>(std::clamp<int64_t>(timeout.count(), 1, INT32_MAX)));
    if (n == SSH_ERROR) return MakeError(ErrorCode::kFailed, "channel read failed");
    if (n == 0) {
      if (ssh_channel_is_eof(channel_) || ssh_channel_is_closed(channel_)) return std::string();
      return MakeError(ErrorCode::kFailed, "timed out waiting for the client");
    }
    buf.resize(static_cast<size_t>(n));
    return buf;
  }

  Status Write(std::string_view data) override {
    while (!data.empty()) {
      int n = ssh_channel_write(channel_, data.data(), static_cast<uint32_t>(std::min<size_t>(data.size(), 1 << 16)));
      if (n == SSH_ERROR) return MakeError(ErrorCode::kFailed, "channel write failed");
      data.remove_prefix(static_cast<size_t>(n));
    }
    return OkStatus();
  }

 private:
  ssh_channel channel_;
};

class LibsshServer final : public SshServer {
 public:
  LibsshServer(ssh_bind bind, ServerOptions options, int port)
      : bind_(bind),
        options_(std::move(options)),
        port_(port),
        gate_(options_.startups),
        watchdog_([this] { Watch(); }) {}

  ~LibsshServer() override {
    {
      std::lock_guard lock(mu_);
      quit_watchdog_ = true;
    }
    cv_.notify_all();
    watchdog_.join();
    ssh_bind_free(bind_);
  }

  int port() const override { return port_; }

  int active_sessions() const override {
    std::lock_guard lock(mu_);
    return active_;
  }

  void Run() override {
    int listen_fd = ssh_bind_get_fd(bind_);
    while (!stopping_) {
      pollfd p{listen_fd, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      ssh_session session = ssh_new();
      if (ssh_bind_accept(bind_, session) != SSH_OK) {
        ssh_free(session);
        continue;
      }
      int one = 1;
      ::setsockopt(ssh_get_fd(session), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // pitfall 1
      // Before any key exchange: an unauthenticated connection over the
      // startup budget is closed at once and costs no thread.
      std::string source = PeerOf(ssh_get_fd(session), true);
      if (std::optional<std::string> dropped = gate_.Admit(source)) {
        ssh_free(session);
        NoteDropped(*dropped);
        continue;
      }
      {
        std::lock_guard lock(mu_);
        ++active_;
      }
      // No thread to be had (a flood the gate let through, a process
      // limit): that connection is dropped, the server goes on.
      try {
        std::thread([this, session, source] { Serve(session, source); }).detach();
      } catch (const std::system_error& e) {
        ssh_free(session);
        gate_.Release(source);
        {
          std::lock_guard lock(mu_);
          --active_;
        }
        cv_.notify_all();
        NoteDropped("no thread for a new connection: " + std::string(e.what()));
      }
    }
    // Drain: sessions in flight finish, up to the drain time; then they are cut.
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, drain_, [this] { return active_ == 0; })) {
      for (auto& [fd, deadline] : watched_) ::shutdown(fd, SHUT_RDWR);
      for (int fd : established_) ::shutdown(fd, SHUT_RDWR);
      cv_.wait_for(lock, std::chrono::seconds(5), [this] { return active_ == 0; });
    }
  }

  void Stop(std::chrono::milliseconds drain) override {
    {
      std::lock_guard lock(mu_);
      drain_ = drain;
    }
    stopping_ = true;
  }

 private:
  void Serve(ssh_session session, const std::string& source) {
    auto start = Steady::now();
    int fd = ssh_get_fd(session);
    SessionState st;
    st.options = &options_;
    st.info.peer = PeerOf(fd);
    {
      std::lock_guard lock(mu_);
      watched_[fd] = start + options_.login_grace;
    }
    std::string outcome = Establish(session, st, start);
    gate_.Release(source);  // no longer unauthenticated, whatever the outcome
    if (st.authenticated) {
      gate_.Authenticated(source);
    } else if (st.too_many_auth || Steady::now() >= start + options_.login_grace) {
      // Not for a failed key exchange: a controller that refuses an
      // unknown or changed host key ends it that way, and must not be
      // locked out for it.
      gate_.Penalize(source);
    }
    {
      std::lock_guard lock(mu_);
      watched_.erase(fd);
      if (outcome.empty()) {
        if (static_cast<int>(established_.size()) >= options_.max_sessions) {
          outcome = "refused: " + std::to_string(options_.max_sessions) + " sessions already open (max_sessions)";
        } else {
          established_.insert(fd);
        }
      }
    }
    if (outcome.empty()) {
      ChannelStream stream(st.channel);
      outcome = "requests: " + options_.serve(st.info, stream);
      Close(session, st);
    }
    if (options_.log) {
      options_.log(st.info, outcome, std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start));
    }
    {
      // Before the fd is closed: once it is, a new connection may get its
      // number, and erasing after that would forget the new session.
      std::lock_guard lock(mu_);
      established_.erase(fd);
    }
    if (st.channel != nullptr) ssh_channel_free(st.channel);
    ssh_disconnect(session);
    ssh_free(session);
    std::lock_guard lock(mu_);
    --active_;
    cv_.notify_all();
  }

  // Key exchange, authentication, channel, subsystem. "" when established,
  // else what went wrong.
  std::string Establish(ssh_session session, SessionState& st, Steady::time_point start) {
    ssh_server_callbacks_struct& callbacks = st.server_callbacks;
    callbacks.userdata = &st;
    callbacks.auth_pubkey_function = OnAuthPubkey;
    callbacks.channel_open_request_session_function = OnChannelOpen;
    ssh_callbacks_init(&callbacks);
    ssh_set_server_callbacks(session, &callbacks);
    ssh_set_auth_methods(session, SSH_AUTH_METHOD_PUBLICKEY);
    if (ssh_handle_key_exchange(session) != SSH_OK) {
      if (Steady::now() >= start + options_.login_grace) return "login grace time expired during key exchange";
      return std::string("key exchange failed: ") + ssh_get_error(session);
    }
    ssh_event event = ssh_event_new();
    ssh_event_add_session(event, session);
    auto deadline = start + options_.login_grace;
    bool alive = true;
    while (alive && !st.subsystem && !st.too_many_auth && Steady::now() < deadline) {
      alive = ssh_event_dopoll(event, 100) != SSH_ERROR && ssh_is_connected(session);
    }
    ssh_event_remove_session(event, session);
    ssh_event_free(event);
    if (st.too_many_auth) {
      return "refused: too many authentication failures (" + std::to_string(st.auth_failures) + "; max_auth_tries " +
             std::to_string(options_.max_auth_tries) + "), last: " + st.refused;
    }
    if (st.subsystem) return "";
    if (!st.refused.empty()) return "refused: " + st.refused;
    if (!st.authenticated) return alive ? "login grace time expired" : "disconnected before authenticating";
    return alive ? "no daybook subsystem requested in time" : "disconnected";
  }

  // Exit status, EOF, close, then wait for the peer's close (pitfall 4).
  void Close(ssh_session session, SessionState& st) {
    ssh_channel_request_send_exit_status(st.channel, 0);
    ssh_channel_send_eof(st.channel);
    ssh_channel_close(st.channel);
    ssh_event event = ssh_event_new();
    ssh_event_add_session(event, session);
    auto until = Steady::now() + std::chrono::seconds(2);
    while (!st.peer_closed && Steady::now() < until && ssh_is_connected(session)) {
      if (ssh_event_dopoll(event, 100) == SSH_ERROR) break;
    }
    ssh_event_remove_session(event, session);
    ssh_event_free(event);
  }

  // Counts a dropped connection; logs the count at most every 10 s.
  void NoteDropped(const std::string& reason) {
    ++dropped_;
    auto now = Steady::now();
    if (now - last_drop_report_ < std::chrono::seconds(10)) return;
    if (options_.log_dropped) options_.log_dropped(dropped_, reason);
    dropped_ = 0;
    last_drop_report_ = now;
  }

  // Cuts connections that are not established within the login grace time.
  void Watch() {
    std::unique_lock lock(mu_);
    while (!quit_watchdog_) {
      cv_.wait_for(lock, std::chrono::milliseconds(100));
      auto now = Steady::now();
      for (auto& [fd, deadline] : watched_) {
        if (now >= deadline) ::shutdown(fd, SHUT_RDWR);
      }
    }
  }

  ssh_bind bind_;
  ServerOptions options_;
  int port_;
  StartupGate gate_;
  int dropped_ = 0;                     // accept thread only
  Steady::time_point last_drop_report_;  // accept thread only
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int active_ = 0;
  std::chrono::milliseconds drain_{std::chrono::seconds(10)};
  std::map<int, Steady::time_point> watched_;  // fd → login deadline
  std::set<int> established_;
  bool quit_watchdog_ = false;
  std::thread watchdog_;
};

}  // namespace

namespace {

// The listening socket, made here rather than by libssh so that it has
// SO_REUSEADDR: an agent restarted at once (a reboot, an upgrade) must bind
// its port again while the previous one's connections are in TIME_WAIT.
Result<int> ListeningSocket(const std::string& address, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
  addrinfo* found = nullptr;
  if (::getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr) {
    return MakeError(ErrorCode::kInvalidInput, "bad listen address " + address);
  }
  int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol);
  int one = 1;
  bool ok = fd >= 0 && ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
            ::bind(fd, found->ai_addr, found->ai_addrlen) == 0 && ::listen(fd, 128) == 0;
  int error = errno;
  ::freeaddrinfo(found);
  if (!ok) {
    if (fd >= 0) ::close(fd);
    return MakeError(ErrorCode::kIo, "cannot listen on " + address + ":" + std::to_string(port) + ": " + std::strerror(error));
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<SshServer>> SshServer::Listen(const HostKey& host_key, ServerOptions options) {
  InitLibssh();
  Result<int> fd = ListeningSocket(options.address, options.port);
  if (!fd) return fd.error();
  ssh_bind bind = ssh_bind_new();
  int no = 0;
  int port = options.port;
  ssh_key key = nullptr;
  if (ssh_pki_import_privkey_base64(host_key.pem.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
    ssh_bind_free(bind);
    ::close(*fd);
    return MakeError(ErrorCode::kInvalidInput, "libssh cannot import the host key");
  }
  ssh_bind_set_fd(bind, *fd);  // ssh_bind_listen then only loads the keys
  ssh_bind_options_set(bind, SSH_BIND_OPTIONS_BINDADDR, options.address.c_str());
  ssh_bind_options_set(bind, SSH_BIND_OPTIONS_BINDPORT, &port);
  ssh_bind_options_set(bind, SSH_BIND_OPTIONS_IMPORT_KEY, key);  // the bind owns it now (pitfall 5)
  ssh_bind_options_set(bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no);
  if (ssh_bind_listen(bind) != SSH_OK) {
    std::string why = ssh_get_error(bind);
    ssh_bind_free(bind);
    return MakeError(ErrorCode::kIo, "cannot listen on " + options.address + ":" + std::to_string(options.port) + ": " + why);
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(ssh_bind_get_fd(bind), reinterpret_cast<sockaddr*>(&addr), &len);
  int bound = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                         : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return std::unique_ptr<SshServer>(new LibsshServer(bind, std::move(options), bound));
}

}  // namespace daybook::transport
