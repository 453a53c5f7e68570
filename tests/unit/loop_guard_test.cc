#include "server/pacing/loop_guard.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace wxbridge::pacing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Verdict = LoopGuard::Verdict;

const PaceClock::time_point kStart = PaceClock::time_point() + std::chrono::hours(1);

TEST(LoopGuardTest, RefusesTheSendBeyondTheLimitWithinTheWindow) {
  LoopGuard guard(3, seconds(10));
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(guard.Check("a/chat", kStart + seconds(i)), Verdict::kAllowed) << i;
    guard.Record("a/chat", kStart + seconds(i));
  }
  EXPECT_EQ(guard.Check("a/chat", kStart + seconds(3)), Verdict::kRefusedNewEpisode);
  EXPECT_EQ(guard.Check("a/chat", kStart + seconds(4)), Verdict::kRefused);
  // Another chat is not affected.
  EXPECT_EQ(guard.Check("a/other", kStart + seconds(4)), Verdict::kAllowed);
}

TEST(LoopGuardTest, AnEpisodeEndsWhenASendIsAllowedAgain) {
  LoopGuard guard(2, seconds(10));
  guard.Record("c", kStart);
  guard.Record("c", kStart + seconds(1));
  EXPECT_EQ(guard.Check("c", kStart + seconds(2)), Verdict::kRefusedNewEpisode);
  // The first send leaves the window at 10 s.
  EXPECT_EQ(guard.Check("c", kStart + milliseconds(9999)), Verdict::kRefused);
  EXPECT_EQ(guard.Check("c", kStart + seconds(10)), Verdict::kAllowed);
  guard.Record("c", kStart + seconds(10));
  // Looping again: a new episode, reported again.
  EXPECT_EQ(guard.Check("c", kStart + seconds(10)), Verdict::kRefusedNewEpisode);
}

TEST(LoopGuardTest, ZeroTurnsItOff) {
  LoopGuard guard(0, seconds(10));
  for (int i = 0; i < 100; ++i) guard.Record("c", kStart);
  EXPECT_EQ(guard.Check("c", kStart), Verdict::kAllowed);
  EXPECT_EQ(guard.chats(), 0u);
}

TEST(LoopGuardTest, ForgetsQuietChats) {
  LoopGuard guard(5, seconds(1));
  for (int i = 0; i < 1000; ++i) guard.Record(absl::StrCat("chat", i), kStart);
  EXPECT_GE(guard.chats(), 1000u - 64);
  guard.Record("late", kStart + seconds(2));
  for (int i = 0; i < 200; ++i) guard.Record(absl::StrCat("new", i), kStart + seconds(2));
  EXPECT_LE(guard.chats(), 1000u);
  EXPECT_LT(guard.chats(), 500u);
}

}  // namespace
}  // namespace wxbridge::pacing
