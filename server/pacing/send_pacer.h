// Paces one bridge's sends to the gateway (docs/pacing.md): per account a token bucket
// for messages and one for social actions, a bucket per chat, a random jitter, and the
// loop guard. Schedule() gives each call the time its frame may leave; the caller holds
// the frame until then with a timer, never by blocking. An account's calls of one class
// leave in the order they were scheduled; other accounts are never held by them.
// Pure but for the injected randomness: the caller passes the time. Thread-safe.
#ifndef WXBRIDGE_SERVER_PACING_SEND_PACER_H_
#define WXBRIDGE_SERVER_PACING_SEND_PACER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "server/common/unit_random.h"
#include "server/pacing/loop_guard.h"
#include "server/pacing/pacing_config.h"
#include "server/pacing/token_bucket.h"

namespace wxbridge::pacing {

enum class PaceClass {
  kNone,     // never paced (login, logout, contact look-ups, unknown codes)
  kMessage,  // 103 text, 104 link card, 109 image
  kSocial,   // 105 kick, 107 accept friend, 108 invite, 111 add friend
};
PaceClass PaceClassOf(int code);

// One loop guard episode: sends from `account` to `chat` are being refused.
struct LoopStop {
  std::string account;
  std::string chat;
  uint32_t limit = 0;
  std::chrono::milliseconds window{0};
};

// Plain numbers, for GetStatus and (later) the metrics registry.
struct PacingCounters {
  uint64_t calls_held = 0;
  uint64_t calls_refused_deadline = 0;
  uint64_t calls_refused_loop = 0;
  uint64_t loops_stopped = 0;
  std::chrono::nanoseconds total_held{0};
};

// One account's pacing now.
struct AccountPacing {
  std::string account;
  uint32_t queued = 0;  // calls held, waiting for their time
  PaceClock::time_point next_message_at;
  PaceClock::time_point next_social_at;
};

class SendPacer {
 public:
  // `config.mode` is not read: a SendPacer paces. `on_loop_stop` runs once per episode,
  // inside Schedule().
  SendPacer(const PacingConfig& config, UnitRandom random,
            std::function<void(const LoopStop&)> on_loop_stop);

  // A call's turn.
  struct Turn {
    PaceClock::time_point at;
    // Wait for `at` (even when it has come): calls booked earlier are still held, and
    // this one must leave after them. End the hold with HoldEnded().
    bool hold = false;
  };
  // When a call of `code` from `account` to `chat` (the user or group a message goes
  // to; may be empty) may leave, asked at `now`. RESOURCE_EXHAUSTED, booking nothing,
  // when that time is after `deadline` or the loop guard refuses the send.
  absl::StatusOr<Turn> Schedule(int code, const std::string& account, const std::string& chat,
                                PaceClock::time_point now, PaceClock::time_point deadline);
  // A held call of `code` stopped waiting after `held`: its time came, or the call ended
  // first.
  void HoldEnded(int code, const std::string& account, std::chrono::nanoseconds held);

  PacingCounters counters() const;
  // Every account that has been paced, by name.
  std::vector<AccountPacing> Accounts(PaceClock::time_point now) const;

 private:
  // The calls of one class from one account: its bucket, its calls held now and the
  // time the last one was booked for (while some are held, the next leaves after it).
  struct Lane {
    std::optional<TokenBucket> bucket;
    uint32_t held = 0;
    PaceClock::time_point last_at;
  };
  struct Account {
    Lane messages;
    Lane social;
  };

  Account& AccountFor(const std::string& account);
  static Lane& LaneOf(Account& account, PaceClass pace_class);
  // The earliest time a call in `lane` may leave, not before `now`.
  static PaceClock::time_point LaneReadyAt(const Lane& lane, PaceClock::time_point now);
  absl::Status LoopRefusal(const std::string& account, const std::string& chat) const;
  // Drops chat buckets that are full again, once the map has doubled.
  void SweepChats(PaceClock::time_point now);

  const PacingConfig config_;
  UnitRandom random_;
  const std::function<void(const LoopStop&)> on_loop_stop_;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Account> accounts_;
  std::unordered_map<std::string, TokenBucket> chats_;  // by ChatKey()
  std::size_t sweep_chats_at_ = 64;
  LoopGuard loop_guard_;
  PacingCounters counters_;
};

}  // namespace wxbridge::pacing

#endif  // WXBRIDGE_SERVER_PACING_SEND_PACER_H_
