// A replica's window on the cluster's log: gap-free, bounded like every store (count,
// bytes, age; the newest stays), a Gap below its oldest, redeliveries ignored, a jump in
// seqs restarting it, and one-shot wakeups.
#include "server/cluster/replica_window.h"

#include <chrono>
#include <memory>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace wxbridge::cluster {
namespace {

int64_t NowNanos() { return absl::ToUnixNanos(absl::Now()); }

events::RetainedEventPtr Event(uint64_t seq, std::size_t wire_bytes = 10) {
  auto event = std::make_shared<events::RetainedEvent>();
  event->seq = seq;
  event->account = "wxid_a";
  event->wire = grpc::Slice(std::string(wire_bytes, 'x'));
  return event;
}

std::vector<uint64_t> Seqs(const events::EventStore::ReadResult& read) {
  std::vector<uint64_t> seqs;
  for (const events::RetainedEventPtr& event : read.events) seqs.push_back(event->seq);
  return seqs;
}

TEST(ReplicaWindowTest, AnEmptyWindowHasZeroBoundsAndNothingToRead) {
  ReplicaWindow window(ReplicaWindowBounds{});
  EXPECT_EQ(window.head_seq(), 0u);
  EXPECT_EQ(window.oldest_seq(), 0u);
  EXPECT_TRUE(window.ReadAfter(0, 10).events.empty());
  EXPECT_FALSE(window.ReadAfter(0, 10).gap);
}

TEST(ReplicaWindowTest, CountBoundDropsTheOldestAndReadersBehindGetAGap) {
  ReplicaWindow window(ReplicaWindowBounds{3});
  for (uint64_t seq = 1; seq <= 5; ++seq) window.Add(Event(seq), NowNanos());
  EXPECT_EQ(window.oldest_seq(), 3u);
  EXPECT_EQ(window.head_seq(), 5u);
  EXPECT_EQ(window.count(), 3u);
  events::EventStore::ReadResult read = window.ReadAfter(0, 2);
  ASSERT_TRUE(read.gap);
  EXPECT_EQ(read.gap->first_missing_seq(), 1u);
  EXPECT_EQ(read.gap->first_available_seq(), 3u);
  EXPECT_EQ(Seqs(read), (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(Seqs(window.ReadAfter(4, 10)), (std::vector<uint64_t>{5}));
}

TEST(ReplicaWindowTest, ByteAndAgeBoundsKeepTheNewest) {
  const std::size_t one = events::RetainedBytes(*Event(1));
  ReplicaWindow by_bytes(ReplicaWindowBounds{100, one * 2});
  for (uint64_t seq = 1; seq <= 4; ++seq) by_bytes.Add(Event(seq), NowNanos());
  EXPECT_EQ(by_bytes.oldest_seq(), 3u);
  EXPECT_EQ(by_bytes.bytes(), one * 2);
  by_bytes.Add(Event(5, 10000), NowNanos());  // alone over the bound: still kept
  EXPECT_EQ(by_bytes.oldest_seq(), 5u);

  ReplicaWindow by_age(ReplicaWindowBounds{100, 1 << 20, std::chrono::seconds(60)});
  const int64_t old = NowNanos() - int64_t{120} * 1000000000;
  by_age.Add(Event(1), old);
  EXPECT_EQ(by_age.oldest_seq(), 1u);  // the newest stays, however old
  by_age.Add(Event(2), old);
  by_age.Add(Event(3), NowNanos());
  EXPECT_EQ(by_age.oldest_seq(), 3u);
}

TEST(ReplicaWindowTest, RedeliveriesAreIgnoredAndAJumpRestartsTheWindow) {
  ReplicaWindow window(ReplicaWindowBounds{});
  window.Add(Event(1), NowNanos());
  window.Add(Event(2), NowNanos());
  window.Add(Event(2), NowNanos());
  window.Add(Event(1), NowNanos());
  EXPECT_EQ(window.count(), 2u);
  window.Add(Event(7), NowNanos());  // the stream dropped 3..6 before this replica read them
  EXPECT_EQ(window.oldest_seq(), 7u);
  EXPECT_EQ(window.count(), 1u);
  events::EventStore::ReadResult read = window.ReadAfter(2, 10);
  ASSERT_TRUE(read.gap);
  EXPECT_EQ(read.gap->first_available_seq(), 7u);
}

TEST(ReplicaWindowTest, WakeupsAreOneShotAndRefusedWhenNewerEventsExist) {
  ReplicaWindow window(ReplicaWindowBounds{});
  int runs = 0;
  const uint64_t id = window.NotifyAfter(0, [&] { runs++; });
  ASSERT_NE(id, 0u);
  const uint64_t cancelled = window.NotifyAfter(0, [] { ADD_FAILURE() << "cancelled ran"; });
  EXPECT_TRUE(window.CancelNotify(cancelled));
  window.Add(Event(1), NowNanos());
  window.Add(Event(2), NowNanos());
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(window.CancelNotify(id));
  EXPECT_EQ(window.NotifyAfter(1, [] {}), 0u);
}

}  // namespace
}  // namespace wxbridge::cluster
