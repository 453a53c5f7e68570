#include "server/upstream/backoff.h"

#include <vector>

#include "gtest/gtest.h"

namespace wxbridge::upstream {
namespace {

using std::chrono::milliseconds;

// A random source that plays back the given samples, then repeats the last.
UnitRandom Samples(std::vector<double> samples) {
  auto index = std::make_shared<size_t>(0);
  return [samples, index] {
    const double sample = samples[std::min(*index, samples.size() - 1)];
    ++*index;
    return sample;
  };
}

TEST(BackoffTest, FullJitterCeilingDoublesUpToTheCap) {
  Backoff backoff({milliseconds(100), milliseconds(1000), Jitter::kFull}, Samples({0.999999}));
  std::vector<milliseconds> delays;
  for (int i = 0; i < 7; ++i) delays.push_back(backoff.Next());
  EXPECT_EQ(delays, (std::vector<milliseconds>{
                        milliseconds(100), milliseconds(200), milliseconds(400), milliseconds(800),
                        milliseconds(1000), milliseconds(1000), milliseconds(1000)}));
  EXPECT_EQ(backoff.attempts(), 7u);
}

TEST(BackoffTest, FullJitterCanBeZero) {
  Backoff backoff({milliseconds(100), milliseconds(1000), Jitter::kFull}, Samples({0.0}));
  EXPECT_EQ(backoff.Next(), milliseconds(0));
  EXPECT_EQ(backoff.Next(), milliseconds(0));
}

TEST(BackoffTest, FullJitterIsUniformBelowTheCeiling) {
  Backoff backoff({milliseconds(100), milliseconds(1000), Jitter::kFull}, Samples({0.5}));
  EXPECT_EQ(backoff.Next(), milliseconds(50));
  EXPECT_EQ(backoff.Next(), milliseconds(100));
  EXPECT_EQ(backoff.Next(), milliseconds(200));
}

TEST(BackoffTest, DecorrelatedGrowsByUpToThreeTimesThePreviousDelay) {
  Backoff backoff({milliseconds(100), milliseconds(1000), Jitter::kDecorrelated},
                  Samples({0.999999}));
  EXPECT_EQ(backoff.Next(), milliseconds(300));
  EXPECT_EQ(backoff.Next(), milliseconds(900));
  EXPECT_EQ(backoff.Next(), milliseconds(1000));
  EXPECT_EQ(backoff.Next(), milliseconds(1000));
}

TEST(BackoffTest, DecorrelatedNeverGoesBelowTheInitialDelay) {
  Backoff backoff({milliseconds(100), milliseconds(1000), Jitter::kDecorrelated}, Samples({0.0}));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(backoff.Next(), milliseconds(100));
}

TEST(BackoffTest, ResetStartsOver) {
  Backoff backoff({milliseconds(100), milliseconds(1000), Jitter::kFull}, Samples({0.999999}));
  backoff.Next();
  backoff.Next();
  backoff.Reset();
  EXPECT_EQ(backoff.attempts(), 0u);
  EXPECT_EQ(backoff.Next(), milliseconds(100));
  EXPECT_EQ(backoff.attempts(), 1u);
}

TEST(BackoffTest, InitialAboveTheCapIsCapped) {
  Backoff backoff({milliseconds(5000), milliseconds(1000), Jitter::kDecorrelated}, Samples({0.5}));
  EXPECT_EQ(backoff.Next(), milliseconds(1000));
}

TEST(BackoffTest, ZeroInitialDelayStillGrows) {
  Backoff backoff({milliseconds(0), milliseconds(1000), Jitter::kDecorrelated},
                  Samples({0.999999}));
  EXPECT_EQ(backoff.Next(), milliseconds(3));
  EXPECT_EQ(backoff.Next(), milliseconds(9));
}

TEST(BackoffTest, RealRandomStaysWithinBounds) {
  for (Jitter jitter : {Jitter::kFull, Jitter::kDecorrelated}) {
    Backoff backoff({milliseconds(20), milliseconds(50), jitter}, MakeUnitRandom());
    for (int i = 0; i < 200; ++i) {
      const milliseconds delay = backoff.Next();
      EXPECT_LE(delay, milliseconds(50));
      if (jitter == Jitter::kDecorrelated) {
        EXPECT_GE(delay, milliseconds(20));
      }
    }
  }
}

}  // namespace
}  // namespace wxbridge::upstream
