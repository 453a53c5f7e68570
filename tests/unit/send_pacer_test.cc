#include "server/pacing/send_pacer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wxbridge::pacing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr int kText = 103;
constexpr int kAcceptFriend = 107;
constexpr int kLogin = 101;

const PaceClock::time_point kStart = PaceClock::time_point() + std::chrono::hours(1);
const PaceClock::time_point kFar = kStart + std::chrono::hours(1);

// 10/s with a burst of 2 for messages, 1/s for social actions; no per-chat limit, jitter
// or loop guard unless a test sets them.
PacingConfig TestConfig() {
  PacingConfig config;
  config.mode = PaceMode::kOn;
  config.messages = PaceRate{10, seconds(1)};
  config.messages_burst = 2;
  config.social = PaceRate{1, seconds(1)};
  config.social_burst = 1;
  config.per_chat = PaceRate{};
  config.jitter = milliseconds(0);
  config.loop_guard = 0;
  return config;
}

UnitRandom Fixed(double sample) {
  return [sample] { return sample; };
}

class SendPacerTest : public ::testing::Test {
 protected:
  explicit SendPacerTest(PacingConfig config = TestConfig()) : pacer_(MakePacer(config)) {}

  SendPacer MakePacer(const PacingConfig& config, double sample = 0.0) {
    return SendPacer(config, Fixed(sample),
                     [this](const LoopStop& stop) { stops_.push_back(stop); });
  }

  PaceClock::time_point Turn(SendPacer& pacer, int code, const std::string& account,
                             const std::string& chat, PaceClock::time_point now) {
    absl::StatusOr<SendPacer::Turn> turn = pacer.Schedule(code, account, chat, now, kFar);
    EXPECT_TRUE(turn.ok()) << turn.status();
    return turn.ok() ? turn->at : PaceClock::time_point();
  }

  std::vector<LoopStop> stops_;
  SendPacer pacer_;
};

TEST_F(SendPacerTest, ABurstBeyondTheBucketLeavesAtTheRate) {
  std::vector<PaceClock::time_point> turns;
  for (int i = 0; i < 5; ++i) turns.push_back(Turn(pacer_, kText, "acc", "friend", kStart));
  EXPECT_EQ(turns[0], kStart);
  EXPECT_EQ(turns[1], kStart);
  EXPECT_EQ(turns[2], kStart + milliseconds(100));
  EXPECT_EQ(turns[3], kStart + milliseconds(200));
  EXPECT_EQ(turns[4], kStart + milliseconds(300));
  EXPECT_EQ(pacer_.counters().calls_held, 3u);
}

TEST_F(SendPacerTest, AnAccountsCallsLeaveInOrder) {
  PaceClock::time_point previous = PaceClock::time_point::min();
  for (int i = 0; i < 20; ++i) {
    // Alternating chats: the per-account order holds whatever the recipient.
    const PaceClock::time_point turn =
        Turn(pacer_, kText, "acc", i % 2 ? "a" : "b", kStart + milliseconds(i));
    if (i >= 2) {
      EXPECT_GT(turn, previous) << i;
    }
    previous = turn;
  }
}

TEST_F(SendPacerTest, ACallWhoseTimeHasComeStillWaitsBehindHeldOnes) {
  for (int i = 0; i < 3; ++i) Turn(pacer_, kText, "acc", "friend", kStart);  // third held
  // The held call's timer is due at +100 ms but has not fired yet when the next arrives.
  const PaceClock::time_point late = kStart + milliseconds(150);
  absl::StatusOr<SendPacer::Turn> next = pacer_.Schedule(kText, "acc", "friend", late, kFar);
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->hold);
  EXPECT_GT(next->at, kStart + milliseconds(100));
  // Once it has fired, a call goes at once.
  pacer_.HoldEnded(kText, "acc", milliseconds(100));
  pacer_.HoldEnded(kText, "acc", milliseconds(100));
  absl::StatusOr<SendPacer::Turn> free = pacer_.Schedule(kText, "acc", "friend", kFar, kFar);
  ASSERT_TRUE(free.ok());
  EXPECT_FALSE(free->hold);
  EXPECT_EQ(free->at, kFar);
}

TEST_F(SendPacerTest, OtherAccountsAreNotHeld) {
  for (int i = 0; i < 10; ++i) Turn(pacer_, kText, "busy", "friend", kStart);
  EXPECT_EQ(Turn(pacer_, kText, "quiet", "friend", kStart), kStart);
}

TEST_F(SendPacerTest, SocialActionsHaveTheirOwnBucket) {
  for (int i = 0; i < 5; ++i) Turn(pacer_, kText, "acc", "friend", kStart);
  EXPECT_EQ(Turn(pacer_, kAcceptFriend, "acc", "", kStart), kStart);
  EXPECT_EQ(Turn(pacer_, kAcceptFriend, "acc", "", kStart), kStart + seconds(1));
}

TEST_F(SendPacerTest, UnpacedCodesNeverWait) {
  for (int i = 0; i < 5; ++i) Turn(pacer_, kText, "acc", "friend", kStart);
  EXPECT_EQ(Turn(pacer_, kLogin, "acc", "", kStart), kStart);
  EXPECT_EQ(pacer_.counters().calls_held, 3u);
}

TEST_F(SendPacerTest, ATurnAfterTheDeadlineIsRefusedAtOnceAndBooksNothing) {
  for (int i = 0; i < 2; ++i) Turn(pacer_, kText, "acc", "friend", kStart);
  // The next turn is at +100 ms.
  absl::StatusOr<SendPacer::Turn> refused =
      pacer_.Schedule(kText, "acc", "friend", kStart, kStart + milliseconds(50));
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("next turn is in 0.1 s"));
  EXPECT_THAT(refused.status().message(), HasSubstr("--pace_messages"));
  EXPECT_EQ(pacer_.counters().calls_refused_deadline, 1u);
  // Nothing was booked: the next call gets the same turn.
  EXPECT_EQ(Turn(pacer_, kText, "acc", "friend", kStart), kStart + milliseconds(100));
}

TEST_F(SendPacerTest, HoldsAreCountedUntilTheyEnd) {
  for (int i = 0; i < 4; ++i) Turn(pacer_, kText, "acc", "friend", kStart);
  std::vector<AccountPacing> accounts = pacer_.Accounts(kStart);
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].account, "acc");
  EXPECT_EQ(accounts[0].queued, 2u);  // the burst of 2 went at once
  EXPECT_EQ(accounts[0].next_message_at, kStart + milliseconds(300));
  EXPECT_EQ(accounts[0].next_social_at, kStart);
  pacer_.HoldEnded(kText, "acc", milliseconds(100));
  pacer_.HoldEnded(kText, "acc", milliseconds(200));
  EXPECT_EQ(pacer_.Accounts(kStart)[0].queued, 0u);
  EXPECT_EQ(pacer_.counters().total_held, milliseconds(300));
}

TEST_F(SendPacerTest, JitterAddsUpToItsBound) {
  PacingConfig config = TestConfig();
  config.jitter = milliseconds(400);
  SendPacer none = MakePacer(config, 0.0);
  SendPacer half = MakePacer(config, 0.5);
  SendPacer most = MakePacer(config, 0.999);
  EXPECT_EQ(Turn(none, kText, "acc", "c", kStart), kStart);
  EXPECT_EQ(Turn(half, kText, "acc", "c", kStart), kStart + milliseconds(200));
  const PaceClock::time_point late = Turn(most, kText, "acc", "c", kStart);
  EXPECT_GT(late, kStart + milliseconds(399));
  EXPECT_LT(late, kStart + milliseconds(400));
}

TEST_F(SendPacerTest, PerChatLimitHoldsOnlyThatChat) {
  PacingConfig config = TestConfig();
  config.messages = PaceRate{};  // only the per-chat limit
  config.per_chat = PaceRate{1, seconds(1)};
  config.per_chat_burst = 1;
  SendPacer pacer = MakePacer(config);
  EXPECT_EQ(Turn(pacer, kText, "acc", "group@chatroom", kStart), kStart);
  absl::StatusOr<SendPacer::Turn> held =
      pacer.Schedule(kText, "acc", "group@chatroom", kStart, kStart + milliseconds(10));
  EXPECT_THAT(held.status().message(), HasSubstr("--pace_per_chat"));
  EXPECT_EQ(Turn(pacer, kText, "acc", "group@chatroom", kStart), kStart + seconds(1));
  // Another chat of another account is free; the same account's next call keeps the order.
  EXPECT_EQ(Turn(pacer, kText, "other", "friend", kStart), kStart);
}

TEST_F(SendPacerTest, TheLoopGuardRefusesAndReportsOncePerEpisode) {
  PacingConfig config = TestConfig();
  config.messages = PaceRate{};
  config.loop_guard = 3;
  config.loop_guard_window = seconds(10);
  SendPacer pacer = MakePacer(config);
  for (int i = 0; i < 3; ++i) Turn(pacer, kText, "acc", "bot", kStart + seconds(i));
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<SendPacer::Turn> refused =
        pacer.Schedule(kText, "acc", "bot", kStart + seconds(3), kFar);
    ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
    EXPECT_THAT(refused.status().message(), HasSubstr("loop guard"));
    EXPECT_THAT(refused.status().message(), HasSubstr("to bot"));
  }
  ASSERT_EQ(stops_.size(), 1u);
  EXPECT_EQ(stops_[0].account, "acc");
  EXPECT_EQ(stops_[0].chat, "bot");
  EXPECT_EQ(stops_[0].limit, 3u);
  EXPECT_EQ(pacer.counters().calls_refused_loop, 3u);
  EXPECT_EQ(pacer.counters().loops_stopped, 1u);
  // Other chats, and the same chat of another account, go on.
  EXPECT_EQ(Turn(pacer, kText, "acc", "human", kStart + seconds(3)), kStart + seconds(3));
  EXPECT_EQ(Turn(pacer, kText, "other", "bot", kStart + seconds(3)), kStart + seconds(3));
}

}  // namespace
}  // namespace wxbridge::pacing
