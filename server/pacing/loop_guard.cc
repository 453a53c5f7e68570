#include "server/pacing/loop_guard.h"

#include <algorithm>

namespace wxbridge::pacing {

LoopGuard::LoopGuard(uint32_t limit, std::chrono::milliseconds window)
    : limit_(limit), window_(window) {}

void LoopGuard::Forget(Chat& chat, PaceClock::time_point now) const {
  while (!chat.sends.empty() && chat.sends.front() + window_ <= now) chat.sends.pop_front();
}

LoopGuard::Verdict LoopGuard::Check(const std::string& chat, PaceClock::time_point now) {
  if (limit_ == 0) return Verdict::kAllowed;
  auto it = chats_.find(chat);
  if (it == chats_.end()) return Verdict::kAllowed;
  Chat& state = it->second;
  Forget(state, now);
  if (state.sends.size() < limit_) {
    state.in_episode = false;
    return Verdict::kAllowed;
  }
  if (state.in_episode) return Verdict::kRefused;
  state.in_episode = true;
  return Verdict::kRefusedNewEpisode;
}

void LoopGuard::Record(const std::string& chat, PaceClock::time_point now) {
  if (limit_ == 0) return;
  Chat& state = chats_[chat];
  Forget(state, now);
  state.sends.push_back(now);
  while (state.sends.size() > limit_) state.sends.pop_front();
  Sweep(now);
}

void LoopGuard::Sweep(PaceClock::time_point now) {
  if (chats_.size() < sweep_at_) return;
  for (auto it = chats_.begin(); it != chats_.end();) {
    Forget(it->second, now);
    it = it->second.sends.empty() ? chats_.erase(it) : std::next(it);
  }
  sweep_at_ = std::max<std::size_t>(64, 2 * chats_.size());
}

}  // namespace wxbridge::pacing
