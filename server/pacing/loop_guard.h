// Stops reply loops: more than `limit` sends to one chat within `window` are refused. An
// episode starts at the first refusal and ends when a send to the chat is allowed again;
// the caller reports each episode once. Pure: the caller passes the time.
#ifndef WXBRIDGE_SERVER_PACING_LOOP_GUARD_H_
#define WXBRIDGE_SERVER_PACING_LOOP_GUARD_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

#include "server/pacing/token_bucket.h"

namespace wxbridge::pacing {

class LoopGuard {
 public:
  enum class Verdict {
    kAllowed,
    kRefused,            // refused, in an episode already reported
    kRefusedNewEpisode,  // refused, and this refusal starts an episode
  };

  // `limit` 0 turns the guard off.
  LoopGuard(uint32_t limit, std::chrono::milliseconds window);

  // Whether one more send to `chat` (any key naming account and chat) may go at `now`.
  // Counts nothing: Record() what is sent.
  Verdict Check(const std::string& chat, PaceClock::time_point now);
  void Record(const std::string& chat, PaceClock::time_point now);

  uint32_t limit() const { return limit_; }
  std::chrono::milliseconds window() const { return window_; }
  // Chats with sends inside their window (what the guard holds in memory).
  std::size_t chats() const { return chats_.size(); }

 private:
  struct Chat {
    std::deque<PaceClock::time_point> sends;  // inside the window, oldest first; <= limit
    bool in_episode = false;
  };
  void Forget(Chat& chat, PaceClock::time_point now) const;
  // Drops chats with nothing left in their window, once the map has doubled.
  void Sweep(PaceClock::time_point now);

  const uint32_t limit_;
  const std::chrono::milliseconds window_;
  std::unordered_map<std::string, Chat> chats_;
  std::size_t sweep_at_ = 64;
};

}  // namespace wxbridge::pacing

#endif  // WXBRIDGE_SERVER_PACING_LOOP_GUARD_H_
