// Event times must order events within a second (subscribers compute latencies from them).
#include "server/common/clock.h"

#include <chrono>

#include "gtest/gtest.h"

namespace wxbridge {
namespace {

TEST(ClockTest, NowTimestampKeepsSubSecondPrecisionAndMatchesTheSystemClock) {
  bool saw_nanos = false;
  for (int i = 0; i < 100 && !saw_nanos; ++i) saw_nanos = NowTimestamp().nanos() != 0;
  EXPECT_TRUE(saw_nanos) << "sub-second part always zero";

  const auto stamp = NowTimestamp();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_NEAR(static_cast<double>(stamp.seconds()), static_cast<double>(now), 2.0);
  EXPECT_GE(stamp.nanos(), 0);
  EXPECT_LT(stamp.nanos(), 1000000000);
}

}  // namespace
}  // namespace wxbridge
