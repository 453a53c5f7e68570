#include "server/pacing/token_bucket.h"

#include "gtest/gtest.h"

namespace wxbridge::pacing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const PaceClock::time_point kStart = PaceClock::time_point() + std::chrono::hours(1);

TEST(TokenBucketTest, AFullBucketLetsTheBurstGoAtOnce) {
  TokenBucket bucket(PaceRate{10, seconds(1)}, 3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(bucket.ReadyAt(kStart), kStart) << i;
    bucket.Take(kStart);
  }
  EXPECT_EQ(bucket.ReadyAt(kStart), kStart + milliseconds(100));
}

TEST(TokenBucketTest, BookedSendsLeaveOneIntervalApart) {
  TokenBucket bucket(PaceRate{10, seconds(1)}, 1);
  PaceClock::time_point at = kStart;
  for (int i = 0; i < 5; ++i) {
    const PaceClock::time_point ready = bucket.ReadyAt(kStart);
    EXPECT_EQ(ready, kStart + milliseconds(100) * i) << i;
    bucket.Take(ready);
    at = ready;
  }
  EXPECT_EQ(at, kStart + milliseconds(400));
}

TEST(TokenBucketTest, RefillsWhileIdle) {
  TokenBucket bucket(PaceRate{10, seconds(1)}, 2);
  bucket.Take(kStart);
  bucket.Take(kStart);
  EXPECT_FALSE(bucket.FullAt(kStart + milliseconds(150)));
  EXPECT_EQ(bucket.ReadyAt(kStart + milliseconds(150)), kStart + milliseconds(150));
  EXPECT_TRUE(bucket.FullAt(kStart + milliseconds(200)));
  // Full again: a whole burst goes.
  const PaceClock::time_point later = kStart + seconds(5);
  bucket.Take(later);
  EXPECT_EQ(bucket.ReadyAt(later), later);
}

TEST(TokenBucketTest, ANewBucketIsFull) {
  TokenBucket bucket(PaceRate{1, seconds(60)}, 1);
  EXPECT_TRUE(bucket.FullAt(kStart));
  EXPECT_EQ(bucket.ReadyAt(kStart), kStart);
}

}  // namespace
}  // namespace wxbridge::pacing
