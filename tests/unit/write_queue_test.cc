// The gateway write queue without sockets: order, `first`, the byte bound, Remove and an
// interrupted write.
#include "server/upstream/write_queue.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace wxbridge::upstream {
namespace {

std::shared_ptr<const std::string> Frame(std::size_t size, char fill = 'x') {
  return std::make_shared<const std::string>(size, fill);
}

// Writes every frame that is ready, in order, and returns their tokens.
std::vector<uint64_t> Drain(WriteQueue& queue) {
  std::vector<uint64_t> written;
  while (queue.ReadyToWrite()) {
    const uint64_t token = queue.StartWrite().token;
    EXPECT_EQ(queue.FinishWrite(), token);
    written.push_back(token);
  }
  return written;
}

TEST(WriteQueueTest, FramesLeaveInTheOrderTheyWereQueued) {
  WriteQueue queue(1000);
  EXPECT_FALSE(queue.ReadyToWrite());
  auto one = Frame(1, 'a');
  ASSERT_TRUE(queue.Push(1, one).ok());
  ASSERT_TRUE(queue.Push(2, Frame(2, 'b')).ok());
  ASSERT_TRUE(queue.Push(3, Frame(3, 'c')).ok());
  EXPECT_EQ(queue.size(), 3u);

  ASSERT_TRUE(queue.ReadyToWrite());
  const WriteQueue::Entry& entry = queue.StartWrite();
  EXPECT_EQ(entry.token, 1u);
  EXPECT_TRUE(entry.in_flight);
  EXPECT_EQ(entry.frame, one) << "the queued frame itself, not a copy";
  EXPECT_EQ(queue.in_flight(), std::optional<uint64_t>(1));
  EXPECT_FALSE(queue.ReadyToWrite()) << "one frame in flight at a time";
  EXPECT_EQ(queue.FinishWrite(), 1u);
  EXPECT_EQ(queue.in_flight(), std::nullopt);

  EXPECT_EQ(Drain(queue), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(queue.size(), 0u);
  EXPECT_FALSE(queue.ReadyToWrite());
}

TEST(WriteQueueTest, FirstGoesAheadOfEveryWaitingFrame) {
  WriteQueue queue(1000);
  ASSERT_TRUE(queue.Push(1, Frame(1)).ok());
  ASSERT_TRUE(queue.Push(2, Frame(1)).ok());
  ASSERT_TRUE(queue.Push(3, Frame(1), /*first=*/true).ok());
  ASSERT_TRUE(queue.Push(4, Frame(1)).ok());
  EXPECT_EQ(Drain(queue), (std::vector<uint64_t>{3, 1, 2, 4}));
}

TEST(WriteQueueTest, FirstOnAnEmptyQueueIsWrittenNext) {
  WriteQueue queue(1000);
  ASSERT_TRUE(queue.Push(7, Frame(1), /*first=*/true).ok());
  ASSERT_TRUE(queue.Push(8, Frame(1)).ok());
  EXPECT_EQ(Drain(queue), (std::vector<uint64_t>{7, 8}));
}

TEST(WriteQueueTest, FirstNeverGoesAheadOfTheFrameInFlight) {
  WriteQueue queue(1000);
  ASSERT_TRUE(queue.Push(1, Frame(1)).ok());
  ASSERT_TRUE(queue.Push(2, Frame(1)).ok());
  ASSERT_EQ(queue.StartWrite().token, 1u);

  ASSERT_TRUE(queue.Push(3, Frame(1), /*first=*/true).ok());
  EXPECT_EQ(queue.in_flight(), std::optional<uint64_t>(1)) << "the write in progress stays";
  EXPECT_FALSE(queue.ReadyToWrite());
  EXPECT_EQ(queue.FinishWrite(), 1u);
  EXPECT_EQ(Drain(queue), (std::vector<uint64_t>{3, 2}));
}

TEST(WriteQueueTest, AFrameOverTheByteBoundIsRefusedAndNothingIsQueued) {
  WriteQueue queue(10);
  EXPECT_EQ(queue.max_bytes(), 10u);
  ASSERT_TRUE(queue.Push(1, Frame(6)).ok());

  const absl::Status refused = queue.Push(2, Frame(5));
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("--max_queue_bytes"), std::string::npos) << refused;
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.bytes(), 6u);
  EXPECT_FALSE(queue.Remove(2)) << "a refused frame was never queued";

  // Also refused with `first`, and when the frame alone is larger than the bound.
  EXPECT_EQ(queue.Push(3, Frame(5), /*first=*/true).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(WriteQueue(10).Push(4, Frame(11)).code(), absl::StatusCode::kResourceExhausted);

  // Exactly up to the bound is allowed.
  ASSERT_TRUE(queue.Push(5, Frame(4)).ok());
  EXPECT_EQ(queue.bytes(), 10u);
  EXPECT_EQ(queue.Push(6, Frame(1)).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(Drain(queue), (std::vector<uint64_t>{1, 5}));
}

TEST(WriteQueueTest, TheFrameInFlightCountsTowardsTheBoundUntilItIsWritten) {
  WriteQueue queue(10);
  ASSERT_TRUE(queue.Push(1, Frame(8)).ok());
  queue.StartWrite();
  EXPECT_EQ(queue.bytes(), 8u);
  EXPECT_EQ(queue.Push(2, Frame(3)).code(), absl::StatusCode::kResourceExhausted);
  queue.FinishWrite();
  EXPECT_EQ(queue.bytes(), 0u);
  EXPECT_TRUE(queue.Push(2, Frame(3)).ok()) << "space is freed once the frame is written";
}

TEST(WriteQueueTest, BytesFollowPushFinishRemoveAndInterrupt) {
  WriteQueue queue(1000);
  EXPECT_EQ(queue.bytes(), 0u);
  ASSERT_TRUE(queue.Push(1, Frame(10)).ok());
  ASSERT_TRUE(queue.Push(2, Frame(20)).ok());
  ASSERT_TRUE(queue.Push(3, Frame(30)).ok());
  ASSERT_TRUE(queue.Push(4, Frame(40), /*first=*/true).ok());
  EXPECT_EQ(queue.bytes(), 100u);

  ASSERT_EQ(queue.StartWrite().token, 4u);
  EXPECT_EQ(queue.bytes(), 100u) << "in flight is still held";
  EXPECT_EQ(queue.FinishWrite(), 4u);
  EXPECT_EQ(queue.bytes(), 60u);

  EXPECT_TRUE(queue.Remove(2));
  EXPECT_EQ(queue.bytes(), 40u);

  ASSERT_EQ(queue.StartWrite().token, 1u);
  EXPECT_EQ(queue.InterruptWrite(/*keep=*/true), std::optional<uint64_t>(1));
  EXPECT_EQ(queue.bytes(), 40u) << "a kept frame is still queued";

  ASSERT_EQ(queue.StartWrite().token, 1u);
  EXPECT_EQ(queue.InterruptWrite(/*keep=*/false), std::optional<uint64_t>(1));
  EXPECT_EQ(queue.bytes(), 30u);

  ASSERT_TRUE(queue.Push(5, Frame(5)).ok());
  EXPECT_EQ(queue.bytes(), 35u);
  queue.Clear();
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(WriteQueueTest, RemoveTakesOutAWaitingFrame) {
  WriteQueue queue(1000);
  ASSERT_TRUE(queue.Push(1, Frame(1)).ok());
  ASSERT_TRUE(queue.Push(2, Frame(1)).ok());
  ASSERT_TRUE(queue.Push(3, Frame(1)).ok());
  EXPECT_TRUE(queue.Remove(2));
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_FALSE(queue.Remove(2)) << "already removed";
  EXPECT_FALSE(queue.Remove(99)) << "never queued";
  EXPECT_TRUE(queue.Remove(1)) << "the front frame, while nothing is in flight";
  EXPECT_EQ(Drain(queue), (std::vector<uint64_t>{3}));
  EXPECT_FALSE(queue.Remove(3)) << "already written";
}

TEST(WriteQueueTest, RemoveRefusesTheFrameInFlight) {
  WriteQueue queue(1000);
  ASSERT_TRUE(queue.Push(1, Frame(4)).ok());
  ASSERT_TRUE(queue.Push(2, Frame(4)).ok());
  ASSERT_EQ(queue.StartWrite().token, 1u);

  EXPECT_FALSE(queue.Remove(1)) << "a write in progress cannot be undone";
  EXPECT_EQ(queue.in_flight(), std::optional<uint64_t>(1));
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.bytes(), 8u);

  EXPECT_TRUE(queue.Remove(2)) << "frames behind it can still leave";
  EXPECT_EQ(queue.FinishWrite(), 1u);
  EXPECT_EQ(queue.size(), 0u);
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(WriteQueueTest, InterruptedWriteKeptIsWrittenAgainFirst) {
  WriteQueue queue(1000);
  auto one = Frame(3, 'a');
  ASSERT_TRUE(queue.Push(1, one).ok());
  ASSERT_TRUE(queue.Push(2, Frame(3, 'b')).ok());
  ASSERT_EQ(queue.StartWrite().token, 1u);

  EXPECT_EQ(queue.InterruptWrite(/*keep=*/true), std::optional<uint64_t>(1));
  EXPECT_EQ(queue.in_flight(), std::nullopt);
  EXPECT_EQ(queue.size(), 2u);
  ASSERT_TRUE(queue.ReadyToWrite());

  const WriteQueue::Entry& again = queue.StartWrite();
  EXPECT_EQ(again.token, 1u);
  EXPECT_EQ(again.frame, one);
  EXPECT_EQ(queue.FinishWrite(), 1u);
  EXPECT_EQ(Drain(queue), (std::vector<uint64_t>{2}));
}

TEST(WriteQueueTest, AKeptFrameWaitsAgainAndCanBeRemovedOrOvertakenByFirst) {
  WriteQueue queue(1000);
  ASSERT_TRUE(queue.Push(1, Frame(1)).ok());
  ASSERT_TRUE(queue.Push(2, Frame(1)).ok());
  queue.StartWrite();
  ASSERT_EQ(queue.InterruptWrite(/*keep=*/true), std::optional<uint64_t>(1));

  // The next connection's re-bind goes ahead of it: it is no longer in flight.
  ASSERT_TRUE(queue.Push(100, Frame(1), /*first=*/true).ok());
  EXPECT_EQ(queue.StartWrite().token, 100u);
  EXPECT_EQ(queue.FinishWrite(), 100u);

  // Its call ended meanwhile: it leaves without being written again.
  EXPECT_TRUE(queue.Remove(1));
  EXPECT_EQ(Drain(queue), (std::vector<uint64_t>{2}));
}

TEST(WriteQueueTest, InterruptedWriteNotKeptLeavesTheQueue) {
  WriteQueue queue(1000);
  ASSERT_TRUE(queue.Push(1, Frame(5)).ok());
  ASSERT_TRUE(queue.Push(2, Frame(7)).ok());
  ASSERT_EQ(queue.StartWrite().token, 1u);

  EXPECT_EQ(queue.InterruptWrite(/*keep=*/false), std::optional<uint64_t>(1));
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.bytes(), 7u);
  EXPECT_FALSE(queue.Remove(1)) << "already gone";
  EXPECT_EQ(Drain(queue), (std::vector<uint64_t>{2}));
}

TEST(WriteQueueTest, InterruptWithNothingInFlightChangesNothing) {
  WriteQueue queue(1000);
  EXPECT_EQ(queue.InterruptWrite(/*keep=*/false), std::nullopt);
  ASSERT_TRUE(queue.Push(1, Frame(2)).ok());
  EXPECT_EQ(queue.InterruptWrite(/*keep=*/false), std::nullopt);
  EXPECT_EQ(queue.InterruptWrite(/*keep=*/true), std::nullopt);
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.bytes(), 2u);
  EXPECT_EQ(Drain(queue), (std::vector<uint64_t>{1}));
}

TEST(WriteQueueTest, ClearEmptiesEverythingIncludingTheFrameInFlight) {
  WriteQueue queue(10);
  ASSERT_TRUE(queue.Push(1, Frame(4)).ok());
  ASSERT_TRUE(queue.Push(2, Frame(4)).ok());
  queue.StartWrite();
  queue.Clear();
  EXPECT_EQ(queue.size(), 0u);
  EXPECT_EQ(queue.bytes(), 0u);
  EXPECT_FALSE(queue.ReadyToWrite());
  EXPECT_EQ(queue.in_flight(), std::nullopt);
  EXPECT_FALSE(queue.Remove(2));

  // The whole bound is available again, and tokens can be reused.
  ASSERT_TRUE(queue.Push(2, Frame(10)).ok());
  EXPECT_EQ(Drain(queue), (std::vector<uint64_t>{2}));
}

}  // namespace
}  // namespace wxbridge::upstream
