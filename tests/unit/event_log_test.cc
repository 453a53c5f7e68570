// The event log on its own: numbering, retention and gaps, batched reads, one-shot
// wakeups, and concurrent use (run it under -fsanitize=thread too).
#include "server/events/event_log.h"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace wxbridge::events {
namespace {

using wxbridge::v1::Event;

Event Text(const std::string& account, const std::string& text) {
  Event event;
  event.set_account(account);
  event.mutable_text()->set_text(text);
  return event;
}

void AppendN(EventLog& log, int n) {
  for (int i = 0; i < n; ++i) log.Append(Text("a", std::to_string(i)));
}

std::vector<uint64_t> Seqs(const EventLog::ReadResult& read) {
  std::vector<uint64_t> seqs;
  for (const RetainedEventPtr& event : read.events) seqs.push_back(event->seq);
  return seqs;
}

TEST(EventLogTest, EmptyLogHasNoEventsAndZeroBounds) {
  EventLog log;
  EXPECT_EQ(log.head_seq(), 0u);
  EXPECT_EQ(log.oldest_seq(), 0u);
  EventLog::ReadResult read = log.ReadAfter(0, 10);
  EXPECT_TRUE(read.events.empty());
  EXPECT_FALSE(read.gap);
}

TEST(EventLogTest, AppendNumbersFromOneAndFillsKindAndTime) {
  EventLog log;
  StoredEventPtr first = log.Append(Text("a", "x"));
  Event state;
  state.mutable_bridge_state()->set_state(wxbridge::v1::UPSTREAM_STATE_CONNECTED);
  StoredEventPtr second = log.Append(state);
  EXPECT_EQ(first->event().seq(), 1u);
  EXPECT_EQ(second->event().seq(), 2u);
  EXPECT_EQ(first->kind(), wxbridge::v1::EVENT_KIND_TEXT);
  EXPECT_EQ(second->kind(), wxbridge::v1::EVENT_KIND_BRIDGE_STATE);
  EXPECT_TRUE(first->message.has_event());
  EXPECT_GT(first->event().received_at().seconds(), 0);
  EXPECT_EQ(log.head_seq(), 2u);
  EXPECT_EQ(log.oldest_seq(), 1u);
}

TEST(EventLogTest, AppendKeepsAGivenReceivedAt) {
  EventLog log;
  Event event = Text("a", "x");
  event.mutable_received_at()->set_seconds(42);
  EXPECT_EQ(log.Append(event)->event().received_at().seconds(), 42);
}

TEST(EventLogTest, ReadAfterReturnsLaterEventsOldestFirstUpToTheLimit) {
  EventLog log;
  AppendN(log, 10);
  EXPECT_EQ(Seqs(log.ReadAfter(0, 3)), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(Seqs(log.ReadAfter(7, 100)), (std::vector<uint64_t>{8, 9, 10}));
  EXPECT_TRUE(log.ReadAfter(10, 100).events.empty());
  EXPECT_TRUE(log.ReadAfter(50, 100).events.empty());
  EXPECT_TRUE(log.ReadAfter(0, 0).events.empty());
}

TEST(EventLogTest, CapacityDropsTheOldestAndReadersBehindGetAGap) {
  EventLog log(EventLogOptions{4});
  AppendN(log, 10);
  EXPECT_EQ(log.head_seq(), 10u);
  EXPECT_EQ(log.oldest_seq(), 7u);

  EventLog::ReadResult behind = log.ReadAfter(2, 100);
  ASSERT_TRUE(behind.gap);
  EXPECT_EQ(behind.gap->first_missing_seq(), 3u);
  EXPECT_EQ(behind.gap->first_available_seq(), 7u);
  EXPECT_EQ(Seqs(behind), (std::vector<uint64_t>{7, 8, 9, 10}));

  // Exactly at the window's edge nothing is missing.
  EventLog::ReadResult edge = log.ReadAfter(6, 2);
  EXPECT_FALSE(edge.gap);
  EXPECT_EQ(Seqs(edge), (std::vector<uint64_t>{7, 8}));
}

TEST(EventLogTest, ARetainedPointerOutlivesEviction) {
  EventLog log(EventLogOptions{1});
  StoredEventPtr kept = log.Append(Text("a", "keep me"));
  AppendN(log, 3);
  EXPECT_EQ(kept->event().text().text(), "keep me");
}

TEST(EventLogTest, NotifyAfterRunsOnceOnTheNextAppend) {
  EventLog log;
  int calls = 0;
  EXPECT_NE(log.NotifyAfter(0, [&] { ++calls; }), 0u);
  log.Append(Text("a", "1"));
  log.Append(Text("a", "2"));
  EXPECT_EQ(calls, 1);
}

TEST(EventLogTest, NotifyAfterRefusesWhenNewerEventsExist) {
  EventLog log;
  AppendN(log, 2);
  int calls = 0;
  EXPECT_EQ(log.NotifyAfter(1, [&] { ++calls; }), 0u);
  EXPECT_NE(log.NotifyAfter(2, [&] { ++calls; }), 0u);
  log.Append(Text("a", "3"));
  EXPECT_EQ(calls, 1);
}

TEST(EventLogTest, AWakeupMayReadTheLogAndRegisterAgain) {
  EventLog log;
  std::vector<uint64_t> seen;
  std::function<void()> wakeup = [&] {
    seen.push_back(log.head_seq());
    log.NotifyAfter(log.head_seq(), wakeup);
  };
  log.NotifyAfter(0, wakeup);
  AppendN(log, 3);
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 3}));
}

TEST(EventLogTest, CancelledWakeupNeverRuns) {
  EventLog log;
  int calls = 0;
  uint64_t id = log.NotifyAfter(0, [&] { ++calls; });
  EXPECT_TRUE(log.CancelNotify(id));
  EXPECT_FALSE(log.CancelNotify(id));
  log.Append(Text("a", "1"));
  EXPECT_EQ(calls, 0);
}

TEST(EventLogTest, CancelAfterTheWakeupRanReportsFalse) {
  EventLog log;
  int calls = 0;
  uint64_t id = log.NotifyAfter(0, [&] { ++calls; });
  log.Append(Text("a", "1"));
  EXPECT_FALSE(log.CancelNotify(id));
  EXPECT_EQ(calls, 1);
}

// Cancel races Append from another thread: each registration either runs exactly once
// (CancelNotify said false) or never (it said true).
TEST(EventLogTest, CancelWhileAppendingFromAnotherThreadIsExactlyOnceOrNever) {
  EventLog log(EventLogOptions{64});
  std::atomic<bool> stop{false};
  std::thread appender([&] {
    while (!stop) log.Append(Text("a", "x"));
  });
  constexpr int kRounds = 5000;
  std::vector<std::atomic<int>> runs(kRounds);
  std::vector<int> expected(kRounds, 0);
  int cancelled = 0;
  int raced = 0;
  for (int i = 0; i < kRounds; ++i) {
    const uint64_t id = log.NotifyAfter(log.head_seq(), [&runs, i] { ++runs[i]; });
    if (id == 0) continue;  // an append slipped in: nothing registered
    if (log.CancelNotify(id)) {
      ++cancelled;
    } else {
      expected[i] = 1;
      ++raced;
    }
  }
  stop = true;
  appender.join();
  log.Append(Text("a", "after"));  // would run anything wrongly left registered
  for (int i = 0; i < kRounds; ++i) ASSERT_EQ(runs[i].load(), expected[i]) << i;
  EXPECT_GT(cancelled + raced, 0);
}

TEST(EventLogTest, ConcurrentAppendersGetDistinctGaplessSeqsAndReadersSeeOrder) {
  EventLog log(EventLogOptions{1024});
  constexpr int kAppenders = 4;
  constexpr int kPerAppender = 5000;
  std::atomic<bool> done{false};
  std::atomic<int> order_errors{0};
  auto reader = [&] {
    uint64_t cursor = 0;
    while (!done || cursor < log.head_seq()) {
      EventLog::ReadResult read = log.ReadAfter(cursor, 64);
      if (read.gap) cursor = read.gap->first_available_seq() - 1;
      for (const RetainedEventPtr& event : read.events) {
        if (event->seq != cursor + 1) ++order_errors;
        cursor = event->seq;
      }
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back(reader);
  threads.emplace_back(reader);
  std::vector<std::thread> appenders;
  for (int t = 0; t < kAppenders; ++t) {
    appenders.emplace_back([&log] { AppendN(log, kPerAppender); });
  }
  for (std::thread& t : appenders) t.join();
  done = true;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(order_errors.load(), 0);
  EXPECT_EQ(log.head_seq(), uint64_t{kAppenders * kPerAppender});
  EXPECT_EQ(log.oldest_seq(), log.head_seq() - 1024 + 1);
}

}  // namespace
}  // namespace wxbridge::events
