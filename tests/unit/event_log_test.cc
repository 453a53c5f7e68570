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

TEST(EventLogTest, EachMemoryLogHasItsOwnLogId) {
  EventLog first, second;
  EXPECT_EQ(first.log_id().size(), 32u);
  EXPECT_NE(first.log_id(), second.log_id()) << "a restarted memory log must be a new log";
}

TEST(EventLogTest, RetainedCountFollowsTheRing) {
  EventLogOptions options;
  options.capacity = 4;
  EventLog log(options);
  EXPECT_EQ(log.retained_count(), 0u);
  AppendN(log, 3);
  EXPECT_EQ(log.retained_count(), 3u);
  AppendN(log, 5);
  EXPECT_EQ(log.retained_count(), 4u);
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

// The event as a Subscribe stream receives it: the retained wire, parsed.
Event Sent(const RetainedEventPtr& retained) {
  wxbridge::v1::SubscribeResponse message;
  EXPECT_TRUE(
      message.ParseFromArray(retained->wire.begin(), static_cast<int>(retained->wire.size())));
  return message.event();
}

TEST(EventLogTest, RetentionBytesDropsTheOldestAndReadersBehindGetAGap) {
  const std::string kilobyte(1024, 'x');
  EventLogOptions options;
  // Room for three of these events, not four.
  options.retention_bytes = 3 * (kRetainedOverhead + 1 + 1024 + 64);
  EventLog log(options);
  for (int i = 0; i < 10; ++i) log.Append(Text("a", kilobyte));
  EXPECT_EQ(log.head_seq(), 10u);
  EXPECT_EQ(log.oldest_seq(), 8u);
  EXPECT_LE(log.retained_bytes(), options.retention_bytes);
  EXPECT_GT(log.retained_bytes(), 2 * (kRetainedOverhead + 1024));

  EventLog::ReadResult behind = log.ReadAfter(3, 100);
  ASSERT_TRUE(behind.gap);
  EXPECT_EQ(behind.gap->first_missing_seq(), 4u);
  EXPECT_EQ(behind.gap->first_available_seq(), 8u);
  EXPECT_EQ(Seqs(behind), (std::vector<uint64_t>{8, 9, 10}));

  // Small events push the large ones out: the bound holds as they come.
  for (int i = 0; i < 20; ++i) log.Append(Text("a", "s"));
  EXPECT_GT(log.oldest_seq(), 10u);
  EXPECT_LE(log.retained_bytes(), options.retention_bytes);
}

TEST(EventLogTest, RetainedBytesFollowTheCountBoundToo) {
  EventLog log(EventLogOptions{2});
  log.Append(Text("a", std::string(5000, 'x')));
  log.Append(Text("a", "1"));
  log.Append(Text("a", "2"));
  EXPECT_LT(log.retained_bytes(), 2 * kRetainedOverhead + 200);
}

TEST(EventLogTest, TheNewestEventIsKeptEvenOverTheByteBound) {
  EventLogOptions options;
  options.retention_bytes = 10;
  EventLog log(options);
  AppendN(log, 3);
  EXPECT_EQ(log.oldest_seq(), 3u);
  EXPECT_EQ(Seqs(log.ReadAfter(0, 10)), (std::vector<uint64_t>{3}));
}

TEST(EventLogTest, AnEventOverMaxEventBytesIsSentCutAndMarkedButStoredWhole) {
  EventLogOptions options;
  options.max_event_bytes = 4096;
  EventLog log(options);
  Event event = Text("acct", std::string(20000, 'x'));
  event.set_raw_json(std::string(20100, 'j'));
  event.set_msg_type(1);
  event.set_msg_id(77);
  event.set_cmd_id("cmd-1");
  event.mutable_text()->mutable_header()->set_from_user_name("wxid_from");
  event.mutable_text()->mutable_header()->set_new_msg_id(99);
  const std::size_t full_bytes = event.ByteSizeLong();
  StoredEventPtr stored = log.Append(event);

  // The typed event (for call matching) is whole.
  EXPECT_EQ(stored->event().text().text().size(), 20000u);
  EXPECT_EQ(stored->event().raw_json().size(), 20100u);
  EXPECT_FALSE(stored->event().truncated());

  const Event sent = Sent(stored->retained);
  EXPECT_LE(stored->retained->wire.size(), 4096u + kEventHeaderRoom);
  EXPECT_TRUE(sent.truncated());
  EXPECT_GE(sent.original_bytes(), full_bytes);  // received_at was added
  EXPECT_EQ(sent.seq(), 1u);
  EXPECT_TRUE(sent.raw_json().empty());
  EXPECT_GT(sent.text().text().size(), 3000u);  // the start of the text is kept
  EXPECT_EQ(sent.text().text(), std::string(sent.text().text().size(), 'x'));
  EXPECT_EQ(sent.account(), "acct");
  EXPECT_EQ(sent.msg_type(), 1);
  EXPECT_EQ(sent.msg_id(), 77);
  EXPECT_EQ(sent.cmd_id(), "cmd-1");
  EXPECT_EQ(sent.text().header().from_user_name(), "wxid_from");
  EXPECT_EQ(sent.text().header().new_msg_id(), 99);
  EXPECT_EQ(stored->retained->kind, wxbridge::v1::EVENT_KIND_TEXT);
  EXPECT_EQ(log.truncated_count(), 1u);

  // An event under the limit is untouched.
  const Event small = Sent(log.Append(Text("acct", "hi"))->retained);
  EXPECT_FALSE(small.truncated());
  EXPECT_EQ(small.original_bytes(), 0u);
  EXPECT_EQ(log.truncated_count(), 1u);
}

TEST(EventLogTest, CutTextEndsOnACharacterAndBytesAndListsAreCut) {
  EventLogOptions options;
  options.max_event_bytes = 4096;
  EventLog log(options);

  Event text = Text("a", "");
  std::string chinese;
  for (int i = 0; i < 3000; ++i) chinese += "\xE4\xBD\xA0";  // 你, 3 bytes
  text.mutable_text()->set_text(chinese);
  const std::string cut = Sent(log.Append(text)->retained).text().text();
  EXPECT_EQ(cut.size() % 3, 0u);
  EXPECT_EQ(cut, chinese.substr(0, cut.size()));

  Event image;
  image.set_account("a");
  image.mutable_image()->set_thumbnail(std::string(10000, '\x89'));
  image.mutable_image()->set_md5("abc");
  const Event sent_image = Sent(log.Append(image)->retained);
  EXPECT_TRUE(sent_image.truncated());
  EXPECT_TRUE(sent_image.image().thumbnail().empty());  // a cut image is no image
  EXPECT_EQ(sent_image.image().md5(), "abc");

  Event group;
  group.set_account("a");
  for (int i = 0; i < 2000; ++i)
    group.mutable_group_change()->add_member_wx_ids("wxid_" + std::to_string(i));
  const Event sent_group = Sent(log.Append(group)->retained);
  EXPECT_TRUE(sent_group.truncated());
  ASSERT_GT(sent_group.group_change().member_wx_ids_size(), 100);
  EXPECT_EQ(sent_group.group_change().member_wx_ids(0), "wxid_0");

  // An unrecognized frame has only its raw text: it keeps the start of it.
  Event unrecognized;
  unrecognized.set_raw_json(std::string(10000, '{'));
  unrecognized.mutable_unrecognized()->set_reason(wxbridge::v1::UNRECOGNIZED_REASON_INVALID_JSON);
  const Event sent_unrecognized = Sent(log.Append(unrecognized)->retained);
  EXPECT_TRUE(sent_unrecognized.truncated());
  EXPECT_GT(sent_unrecognized.raw_json().size(), 3000u);
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
