#include "server/pacing/send_pacer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace wxbridge::pacing {
namespace {

using std::chrono::duration_cast;
using std::chrono::nanoseconds;

// Calls of one lane leave at distinct times, so their timers fire in booking order.
constexpr nanoseconds kFifoStep = std::chrono::microseconds(1);

std::string ChatKey(const std::string& account, const std::string& chat) {
  return absl::StrCat(account.size(), ":", account, chat);
}

std::string Seconds(nanoseconds d) {
  return absl::StrFormat("%.1f s", std::chrono::duration<double>(d).count());
}

}  // namespace

PaceClass PaceClassOf(int code) {
  switch (code) {
    case 103:
    case 104:
    case 109:
      return PaceClass::kMessage;
    case 105:
    case 107:
    case 108:
    case 111:
      return PaceClass::kSocial;
    default:
      return PaceClass::kNone;
  }
}

SendPacer::SendPacer(const PacingConfig& config, UnitRandom random,
                     std::function<void(const LoopStop&)> on_loop_stop)
    : config_(config),
      random_(std::move(random)),
      on_loop_stop_(std::move(on_loop_stop)),
      loop_guard_(config_.loop_guard, config_.loop_guard_window) {}

SendPacer::Account& SendPacer::AccountFor(const std::string& account) {
  auto [it, added] = accounts_.try_emplace(account);
  if (added) {
    if (config_.messages.limited()) {
      it->second.messages.bucket.emplace(config_.messages, config_.messages_burst);
    }
    if (config_.social.limited()) {
      it->second.social.bucket.emplace(config_.social, config_.social_burst);
    }
  }
  return it->second;
}

SendPacer::Lane& SendPacer::LaneOf(Account& account, PaceClass pace_class) {
  return pace_class == PaceClass::kMessage ? account.messages : account.social;
}

PaceClock::time_point SendPacer::LaneReadyAt(const Lane& lane, PaceClock::time_point now) {
  PaceClock::time_point at = now;
  if (lane.held > 0) at = std::max(at, lane.last_at + kFifoStep);
  if (lane.bucket) at = lane.bucket->ReadyAt(at);
  return at;
}

absl::Status SendPacer::LoopRefusal(const std::string& account, const std::string& chat) const {
  return absl::ResourceExhaustedError(absl::StrCat(
      "loop guard: account ", account, " already sent ", config_.loop_guard, " messages to ", chat,
      " within ", Seconds(config_.loop_guard_window),
      " (--loop_guard, --loop_guard_window), as two bots answering each other do; nothing "
      "was sent. Sends to this chat resume as older ones leave the window"));
}

absl::StatusOr<SendPacer::Turn> SendPacer::Schedule(int code, const std::string& account,
                                                    const std::string& chat,
                                                    PaceClock::time_point now,
                                                    PaceClock::time_point deadline) {
  const PaceClass pace_class = PaceClassOf(code);
  if (pace_class == PaceClass::kNone) return Turn{now, false};
  std::optional<LoopStop> stopped;
  absl::StatusOr<Turn> result = Turn{now, false};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const bool per_chat = pace_class == PaceClass::kMessage && !chat.empty();
    const std::string chat_key = per_chat ? ChatKey(account, chat) : std::string();
    if (per_chat) {
      const LoopGuard::Verdict verdict = loop_guard_.Check(chat_key, now);
      if (verdict != LoopGuard::Verdict::kAllowed) {
        counters_.calls_refused_loop++;
        if (verdict == LoopGuard::Verdict::kRefusedNewEpisode) {
          counters_.loops_stopped++;
          stopped = LoopStop{account, chat, config_.loop_guard, config_.loop_guard_window};
        }
        result = LoopRefusal(account, chat);
      }
    }
    if (result.ok()) {
      Account& state = AccountFor(account);
      Lane& lane = LaneOf(state, pace_class);
      PaceClock::time_point at = LaneReadyAt(lane, now);
      const char* binding = pace_class == PaceClass::kMessage ? "--pace_messages" : "--pace_social";
      TokenBucket* chat_bucket = nullptr;
      if (per_chat && config_.per_chat.limited()) {
        chat_bucket =
            &chats_.try_emplace(chat_key, config_.per_chat, config_.per_chat_burst).first->second;
        if (const PaceClock::time_point chat_at = chat_bucket->ReadyAt(at); chat_at > at) {
          at = chat_at;
          binding = "--pace_per_chat";
        }
      }
      if (config_.jitter.count() > 0) {
        at += duration_cast<nanoseconds>(config_.jitter * std::clamp(random_(), 0.0, 1.0));
      }
      if (at > deadline) {
        counters_.calls_refused_deadline++;
        result = absl::ResourceExhaustedError(absl::StrCat(
            "paced: account ", account, " has ", lane.held,
            " calls waiting for their turn and its next turn is in ", Seconds(at - now),
            ", after this call's deadline (in ", Seconds(std::max(deadline - now, nanoseconds(0))),
            "); the limit that binds is ", binding,
            ". Nothing was sent: send later, or with a longer deadline"));
      } else {
        lane.last_at = at;
        if (lane.bucket) lane.bucket->Take(at);
        if (chat_bucket != nullptr) chat_bucket->Take(at);
        if (per_chat) loop_guard_.Record(chat_key, now);
        const bool hold = at > now || lane.held > 0;
        if (hold) {
          lane.held++;
          counters_.calls_held++;
        }
        SweepChats(now);
        result = Turn{at, hold};
      }
    }
  }
  if (stopped && on_loop_stop_) on_loop_stop_(*stopped);
  return result;
}

void SendPacer::HoldEnded(int code, const std::string& account, nanoseconds held) {
  const PaceClass pace_class = PaceClassOf(code);
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = accounts_.find(account); it != accounts_.end() && pace_class != PaceClass::kNone) {
    Lane& lane = LaneOf(it->second, pace_class);
    if (lane.held > 0) lane.held--;
  }
  counters_.total_held += std::max(held, nanoseconds(0));
}

void SendPacer::SweepChats(PaceClock::time_point now) {
  if (chats_.size() < sweep_chats_at_) return;
  for (auto it = chats_.begin(); it != chats_.end();) {
    it = it->second.FullAt(now) ? chats_.erase(it) : std::next(it);
  }
  sweep_chats_at_ = std::max<std::size_t>(64, 2 * chats_.size());
}

PacingCounters SendPacer::counters() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return counters_;
}

std::vector<AccountPacing> SendPacer::Accounts(PaceClock::time_point now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<AccountPacing> accounts;
  accounts.reserve(accounts_.size());
  for (const auto& [name, state] : accounts_) {
    accounts.push_back(AccountPacing{name, state.messages.held + state.social.held,
                                     LaneReadyAt(state.messages, now),
                                     LaneReadyAt(state.social, now)});
  }
  std::sort(accounts.begin(), accounts.end(),
            [](const AccountPacing& a, const AccountPacing& b) { return a.account < b.account; });
  return accounts;
}

}  // namespace wxbridge::pacing
