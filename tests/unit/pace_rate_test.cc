#include "server/pacing/pace_rate.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wxbridge::pacing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

TEST(PaceRateTest, ReadsCountPerUnit) {
  EXPECT_EQ(*ParsePaceRate("20/min"), (PaceRate{20, seconds(60)}));
  EXPECT_EQ(*ParsePaceRate("20/m"), (PaceRate{20, seconds(60)}));
  EXPECT_EQ(*ParsePaceRate("3/s"), (PaceRate{3, seconds(1)}));
  EXPECT_EQ(*ParsePaceRate("3/second"), (PaceRate{3, seconds(1)}));
  EXPECT_EQ(*ParsePaceRate("100/h"), (PaceRate{100, seconds(3600)}));
  EXPECT_EQ(*ParsePaceRate(" 500/day "), (PaceRate{500, seconds(86400)}));
}

TEST(PaceRateTest, OffIsUnlimited) {
  absl::StatusOr<PaceRate> off = ParsePaceRate("off");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->limited());
}

TEST(PaceRateTest, RefusesWhatIsNotARate) {
  for (const char* bad : {"", "20", "20/", "/min", "0/min", "-1/min", "20/fortnight", "x/min",
                          "1.5/s", "2000000/s", "20 / min"}) {
    absl::StatusOr<PaceRate> rate = ParsePaceRate(bad);
    EXPECT_FALSE(rate.ok()) << bad;
    EXPECT_THAT(rate.status().message(), HasSubstr("is not a rate")) << bad;
  }
}

TEST(PaceRateTest, FormatsWhatParsesBack) {
  for (const char* text : {"20/min", "3/s", "100/h", "500/d", "off"}) {
    EXPECT_EQ(FormatPaceRate(*ParsePaceRate(text)), text);
  }
}

TEST(PaceRateTest, IntervalIsThePeriodOverTheCount) {
  EXPECT_EQ(ParsePaceRate("20/min")->interval(), std::chrono::seconds(3));
  EXPECT_EQ(ParsePaceRate("3/s")->interval(), std::chrono::nanoseconds(333333333));
}

}  // namespace
}  // namespace wxbridge::pacing
