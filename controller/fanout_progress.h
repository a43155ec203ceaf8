// Progress of a command that asks every targeted host something (ping,
// plan, bootstrap), on stderr, by the global -q/-v:
//   default   on a terminal, one line redrawn in place ("ping: 3/10 done,
//             1 unreachable"); nothing when piped;
//   -v        also one line per host as it finishes ("ping: web-01
//             unreachable: ..."), on a terminal or in a log;
//   -q        nothing.
// Called from FanOut's `done` callback, which runs on one thread.
#pragma once

#include <iosfwd>
#include <string>

#include "controller/env.h"

namespace daybook::controller {

class FanOutProgress {
 public:
  // `failed_word`: what the count of failures is called ("unreachable").
  FanOutProgress(Env& env, std::string verb, size_t total, std::string failed_word = "failed");
  // `outcome`: a few words for the -v line ("ok", "unreachable: ...").
  void HostDone(const std::string& host, bool failed, const std::string& outcome);
  void Finish();  // ends the terminal line

 private:
  Env& env_;
  std::string verb_, failed_word_;
  size_t total_, done_ = 0, failed_ = 0;
  bool drawn_ = false;
};

}  // namespace daybook::controller
