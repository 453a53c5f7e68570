#include "server/rpc/subscriber_registry.h"

#include <memory>

#include "gtest/gtest.h"

namespace wxbridge::rpc {
namespace {

// A stream standing still at a cursor.
class FakeStream final : public SubscriberRegistry::Stream {
 public:
  explicit FakeStream(uint64_t cursor) : cursor_(cursor) {}
  void FinishStream(const grpc::Status&) override { finished_ = true; }
  uint64_t cursor() const override { return cursor_; }
  bool finished() const { return finished_; }

 private:
  const uint64_t cursor_;
  bool finished_ = false;
};

TEST(SubscriberRegistryStatsTest, TotalsAndTheLowestCursorOfTheLiveStreams) {
  SubscriberRegistry registry;
  EXPECT_FALSE(registry.stats().lowest_cursor) << "no stream, no cursor";
  auto fast = std::make_shared<FakeStream>(90);
  auto slow = std::make_shared<FakeStream>(40);
  auto gone = std::make_shared<FakeStream>(5);
  for (const auto& stream : {fast, slow, gone}) {
    ASSERT_FALSE(registry.Add(stream.get(), stream, 10));
  }
  const SubscriberRegistry::Stream* gone_key = gone.get();
  gone.reset();  // ended, not yet removed: its cursor no longer counts
  registry.CountDelivered(7);
  registry.CountDelivered(3);
  registry.CountGap();

  SubscriberRegistry::Stats stats = registry.stats();
  EXPECT_EQ(stats.open, 3u);
  EXPECT_EQ(stats.lowest_cursor, 40u);
  EXPECT_EQ(stats.events_delivered, 10u);
  EXPECT_EQ(stats.gaps_sent, 1u);

  registry.Remove(slow.get());
  registry.Remove(gone_key);
  stats = registry.stats();
  EXPECT_EQ(stats.open, 1u);
  EXPECT_EQ(stats.lowest_cursor, 90u);
  EXPECT_EQ(stats.events_delivered, 10u) << "totals outlive the streams";
}

}  // namespace
}  // namespace wxbridge::rpc
