// access_year DIR HOSTS DAYS LOGINS_PER_DAY: writes, for agents agent-1 ..
// agent-HOSTS, DIR/agent-N/state/access.jsonl as an agent would have kept
// it over DAYS days ending now: LOGINS_PER_DAY host logins a day (ssh with a
// key, sudo, su, a refused sudo now and then) and a daybook session a day,
// hash-chained (agent/access_log.h). For the year-scale test of `daybook access collect` and `journal verify`
// (tests/scale/access_year_test.sh).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "core/journal/access_chain.h"
#include "core/journal/canonical.h"
#include "core/journal/record.h"

using namespace daybook;
using journal::Json;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: access_year DIR HOSTS DAYS LOGINS_PER_DAY\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const int hosts = std::stoi(argv[2]), days = std::stoi(argv[3]), per_day = std::stoi(argv[4]);
  const TimePoint now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const TimePoint start = now - std::chrono::hours(24) * days;
  const char* users[] = {"alice", "bob", "carol", "dave"};
  for (int h = 1; h <= hosts; ++h) {
    const std::filesystem::path state = dir / ("agent-" + std::to_string(h)) / "state";
    std::filesystem::create_directories(state);
    std::filesystem::permissions(state, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
    std::ofstream out(state / "access.jsonl", std::ios::binary);
    std::string prev = journal::kAccessChainStart;
    int64_t seq = 0;
    auto write = [&](Json line, TimePoint ts) {
      line["seq"] = seq++;
      line["ts"] = journal::FormatTimestamp(ts);
      line["prev"] = prev;
      std::string text = journal::Canonical(line);
      out << text << '\n';
      prev = journal::AccessLineHash(text);
    };
    for (int d = 0; d < days; ++d) {
      const TimePoint day = start + std::chrono::hours(24) * d;
      write({{"event", "session"}, {"peer", "127.0.0.1:40000"}, {"key", "SHA256:operator"}, {"outcome", "hello,facts"},
             {"duration_ms", 12}},
            day + std::chrono::hours(6));
      for (int i = 0; i < per_day; ++i) {
        const TimePoint at = day + std::chrono::hours(8) + std::chrono::minutes(47) * i;
        const std::string user = users[(h + d + i) % 4];
        Json login = {{"event", "login"}, {"user", user}, {"at", journal::FormatTimestamp(at)}, {"outcome", "accepted"},
                      {"cursor", "s=year;i=" + std::to_string(seq)}};
        switch (i % 10) {
          case 0: case 1: case 2: case 3: case 4: case 5:
            login.update({{"how", "ssh"}, {"source", "10.1." + std::to_string(h % 250) + "." + std::to_string(i)},
                          {"port", std::to_string(40000 + i)}, {"method", "publickey"},
                          {"key", "ED25519 SHA256:" + user + "KeyFingerprint0123456789abcdefghijklmno"}});
            break;
          case 9:
            login.update({{"how", "sudo"}, {"as", "root"}, {"tty", "pts/0"}, {"command", "/bin/sh"},
                          {"outcome", "refused"}, {"reason", "user NOT in sudoers"}});
            break;
          case 8:
            login.update({{"how", "su"}, {"as", "root"}, {"tty", "pts/1"}});
            break;
          default:
            login.update({{"how", "sudo"}, {"as", "root"}, {"tty", "pts/0"}, {"command", "/usr/bin/systemctl restart app"}});
        }
        write(login, at + std::chrono::seconds(3));
      }
    }
  }
  std::cout << "access_year: " << hosts << " hosts, " << days << " days, " << per_day << " logins a day each\n";
  return 0;
}
