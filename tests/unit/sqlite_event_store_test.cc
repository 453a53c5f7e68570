// The SQLite event store on its own: round trips through the memory cache and the file,
// restarts (same seqs, same bytes, same log_id), the data dir lock, refusal of a corrupt
// file, retention by count, bytes and age, group commit, and that an event is readable
// (and wakes readers) only after its commit. Each test has its own temp dir.
#include "server/events/sqlite_event_store.h"

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "server/events/sqlite_handle.h"
#include "tests/support/poll_until.h"

namespace wxbridge::events {
namespace {

using std::chrono::milliseconds;
using wxbridge::v1::Event;

constexpr milliseconds kDeadline{10000};

Event Text(const std::string& account, const std::string& text) {
  Event event;
  event.set_account(account);
  event.mutable_text()->set_text(text);
  return event;
}

std::string Bytes(const grpc::Slice& slice) {
  return std::string(reinterpret_cast<const char*>(slice.begin()), slice.size());
}

std::vector<uint64_t> Seqs(const EventStore::ReadResult& read) {
  std::vector<uint64_t> seqs;
  for (const RetainedEventPtr& event : read.events) seqs.push_back(event->seq);
  return seqs;
}

// A one-shot gate the writer waits at (with a deadline, so a failing test cannot hang).
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    waiting_ = true;
    changed_.notify_all();
    changed_.wait_for(lock, kDeadline, [this] { return open_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  bool waiting() {
    std::lock_guard<std::mutex> lock(mutex_);
    return waiting_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool waiting_ = false;
  bool open_ = false;
};

class SqliteEventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "wxstore.XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SqliteEventStoreOptions Options(Durability durability = Durability::kOs) const {
    SqliteEventStoreOptions options;
    options.data_dir = (std::filesystem::path(dir_) / "data").string();
    options.durability = durability;
    return options;
  }

  static std::unique_ptr<SqliteEventStore> OpenOk(SqliteEventStoreOptions options) {
    absl::StatusOr<std::unique_ptr<SqliteEventStore>> store =
        SqliteEventStore::Open(std::move(options));
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  std::string dir_;
};

// Both durability modes, and reads from the memory cache (default) and from the file
// (cache_count 0), give the same events and the same bytes.
class SqliteEventStoreModesTest
    : public SqliteEventStoreTest,
      public ::testing::WithParamInterface<std::tuple<Durability, bool>> {
 protected:
  SqliteEventStoreOptions ModeOptions() const {
    SqliteEventStoreOptions options = Options(std::get<0>(GetParam()));
    if (!std::get<1>(GetParam())) options.cache_count = 0;
    return options;
  }
};

TEST_P(SqliteEventStoreModesTest, AppendAndReadRoundTrip) {
  std::unique_ptr<SqliteEventStore> store = OpenOk(ModeOptions());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->head_seq(), 0u);
  EXPECT_EQ(store->oldest_seq(), 0u);
  EXPECT_EQ(store->log_id().size(), 32u);

  StoredEventPtr first = store->Append(Text("wxid_a", "hello"));
  Event state;
  state.mutable_bridge_state()->set_state(wxbridge::v1::UPSTREAM_STATE_CONNECTED);
  StoredEventPtr second = store->Append(state);
  EXPECT_EQ(first->event().seq(), 1u);
  EXPECT_EQ(second->event().seq(), 2u);
  store->Flush();

  EXPECT_EQ(store->head_seq(), 2u);
  EXPECT_EQ(store->oldest_seq(), 1u);
  EXPECT_EQ(store->retained_count(), 2u);
  EXPECT_EQ(store->retained_bytes(),
            RetainedBytes(*first->retained) + RetainedBytes(*second->retained));
  EventStore::ReadResult read = store->ReadAfter(0, 10);
  ASSERT_TRUE(read.status.ok()) << read.status;
  EXPECT_FALSE(read.gap);
  ASSERT_EQ(Seqs(read), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(read.events[0]->kind, wxbridge::v1::EVENT_KIND_TEXT);
  EXPECT_EQ(read.events[0]->account, "wxid_a");
  EXPECT_EQ(read.events[1]->kind, wxbridge::v1::EVENT_KIND_BRIDGE_STATE);
  EXPECT_EQ(Bytes(read.events[0]->wire), Bytes(first->retained->wire));
  EXPECT_EQ(Bytes(read.events[1]->wire), Bytes(second->retained->wire));
  wxbridge::v1::SubscribeResponse sent;
  ASSERT_TRUE(sent.ParseFromString(Bytes(read.events[0]->wire)));
  EXPECT_EQ(sent.event().seq(), 1u);
  EXPECT_EQ(sent.event().text().text(), "hello");

  EXPECT_EQ(Seqs(store->ReadAfter(1, 10)), (std::vector<uint64_t>{2}));
  EXPECT_EQ(Seqs(store->ReadAfter(0, 1)), (std::vector<uint64_t>{1}));
  EXPECT_TRUE(store->ReadAfter(2, 10).events.empty());
}

TEST_P(SqliteEventStoreModesTest, ReopenKeepsSeqsBytesAndLogIdAndContinuesAboveTheHead) {
  std::string log_id;
  std::vector<std::string> wires;
  std::size_t bytes = 0;
  {
    std::unique_ptr<SqliteEventStore> store = OpenOk(ModeOptions());
    ASSERT_NE(store, nullptr);
    log_id = store->log_id();
    for (int i = 0; i < 5; ++i) {
      wires.push_back(Bytes(store->Append(Text("a", std::to_string(i)))->retained->wire));
    }
    // No Flush: closing commits what is queued.
  }
  {
    std::unique_ptr<SqliteEventStore> store = OpenOk(ModeOptions());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->log_id(), log_id);
    EXPECT_EQ(store->head_seq(), 5u);
    EXPECT_EQ(store->oldest_seq(), 1u);
    EXPECT_EQ(store->retained_count(), 5u);
    bytes = store->retained_bytes();
    EventStore::ReadResult read = store->ReadAfter(0, 10);
    ASSERT_EQ(Seqs(read), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
    for (std::size_t i = 0; i < wires.size(); ++i) {
      EXPECT_EQ(Bytes(read.events[i]->wire), wires[i]) << "seq " << i + 1;
    }
    EXPECT_EQ(store->Append(Text("a", "after restart"))->event().seq(), 6u);
    store->Flush();
    EXPECT_EQ(store->retained_bytes(), bytes + RetainedBytes(*store->ReadAfter(5, 1).events[0]));
  }
  std::unique_ptr<SqliteEventStore> store = OpenOk(ModeOptions());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->log_id(), log_id);
  EXPECT_EQ(store->head_seq(), 6u);
}

INSTANTIATE_TEST_SUITE_P(DurabilityAndCache, SqliteEventStoreModesTest,
                         ::testing::Combine(::testing::Values(Durability::kSync, Durability::kOs),
                                            ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<Durability, bool>>& info) {
                           return std::string(std::get<0>(info.param) == Durability::kSync ? "Sync"
                                                                                           : "Os") +
                                  (std::get<1>(info.param) ? "Cached" : "FromFile");
                         });

TEST_F(SqliteEventStoreTest, EveryLogGetsItsOwnLogId) {
  std::string first;
  {
    std::unique_ptr<SqliteEventStore> store = OpenOk(Options());
    ASSERT_NE(store, nullptr);
    first = store->log_id();
  }
  std::filesystem::remove_all(Options().data_dir);  // the data is wiped
  std::unique_ptr<SqliteEventStore> store = OpenOk(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_NE(store->log_id(), first);
  EXPECT_EQ(store->head_seq(), 0u);
}

TEST_F(SqliteEventStoreTest, ANewDataDirIsTheOwnersAloneAndAnEmptyOneIsRefused) {
  std::unique_ptr<SqliteEventStore> store = OpenOk(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(std::filesystem::status(Options().data_dir).permissions(),
            std::filesystem::perms::owner_all);
  SqliteEventStoreOptions none = Options();
  none.data_dir.clear();
  EXPECT_EQ(SqliteEventStore::Open(none).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SqliteEventStoreTest, ASecondOpenOfTheSameDataDirIsRefusedNamingTheLock) {
  std::unique_ptr<SqliteEventStore> store = OpenOk(Options());
  ASSERT_NE(store, nullptr);
  store->Append(Text("a", "x"));
  absl::StatusOr<std::unique_ptr<SqliteEventStore>> second = SqliteEventStore::Open(Options());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string lock = (std::filesystem::path(Options().data_dir) / "LOCK").string();
  EXPECT_NE(second.status().message().find(lock), absl::string_view::npos) << second.status();
  EXPECT_NE(second.status().message().find("in use"), absl::string_view::npos);
  EXPECT_NE(second.status().message().find("pid"), absl::string_view::npos);

  store.reset();  // the lock goes with the store
  std::unique_ptr<SqliteEventStore> again = OpenOk(Options());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->head_seq(), 1u);
}

TEST_F(SqliteEventStoreTest, ACorruptFileIsRefusedAndLeftAsItWas) {
  std::filesystem::create_directories(Options().data_dir);
  const std::filesystem::path file = std::filesystem::path(Options().data_dir) / "events.db";
  const std::string garbage(8192, 'x');
  std::ofstream(file, std::ios::binary) << garbage;

  absl::StatusOr<std::unique_ptr<SqliteEventStore>> store = SqliteEventStore::Open(Options());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
  const absl::string_view message = store.status().message();
  EXPECT_NE(message.find(file.string()), absl::string_view::npos) << message;
  EXPECT_NE(message.find("corrupt"), absl::string_view::npos) << message;
  EXPECT_NE(message.find("refusing to start a fresh log"), absl::string_view::npos) << message;
  std::ifstream in(file, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), garbage);
}

TEST_F(SqliteEventStoreTest, ADamagedLogIsRefused) {
  {
    std::unique_ptr<SqliteEventStore> store = OpenOk(Options());
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 200; ++i) store->Append(Text("a", std::string(500, 'y')));
  }
  // Overwrite the pages after the first (the header stays valid, the b-tree does not).
  const std::filesystem::path file = std::filesystem::path(Options().data_dir) / "events.db";
  {
    std::fstream out(file, std::ios::binary | std::ios::in | std::ios::out);
    out.seekp(4096);
    const std::string garbage(8192, '\x5a');
    out.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  absl::StatusOr<std::unique_ptr<SqliteEventStore>> store = SqliteEventStore::Open(Options());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("refusing to start a fresh log"), absl::string_view::npos)
      << store.status();
}

TEST_F(SqliteEventStoreTest, ADatabaseThatIsNotAnEventLogIsRefused) {
  std::filesystem::create_directories(Options().data_dir);
  const std::string file = (std::filesystem::path(Options().data_dir) / "events.db").string();
  {
    absl::StatusOr<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(file, /*create=*/true);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec("CREATE TABLE other(x)").ok());
  }
  absl::StatusOr<std::unique_ptr<SqliteEventStore>> store = SqliteEventStore::Open(Options());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("not a wxbridge event log"), absl::string_view::npos)
      << store.status();
}

TEST_F(SqliteEventStoreTest, RetentionByCountMovesTheOldestAndReadersBehindGetAGap) {
  SqliteEventStoreOptions options = Options();
  options.retention_count = 10;
  options.cache_count = 4;  // reads below the cache go to the file
  {
    std::unique_ptr<SqliteEventStore> store = OpenOk(options);
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 25; ++i) store->Append(Text("a", std::to_string(i)));
    store->Flush();
    EXPECT_EQ(store->head_seq(), 25u);
    EXPECT_EQ(store->oldest_seq(), 16u);
    EXPECT_EQ(store->retained_count(), 10u);
    EventStore::ReadResult behind = store->ReadAfter(2, 3);
    ASSERT_TRUE(behind.gap);
    EXPECT_EQ(behind.gap->first_missing_seq(), 3u);
    EXPECT_EQ(behind.gap->first_available_seq(), 16u);
    EXPECT_EQ(Seqs(behind), (std::vector<uint64_t>{16, 17, 18}));
    EXPECT_FALSE(store->ReadAfter(15, 1).gap);
  }
  std::unique_ptr<SqliteEventStore> store = OpenOk(options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->oldest_seq(), 16u);
  EXPECT_EQ(store->head_seq(), 25u);
  EXPECT_EQ(store->retained_count(), 10u);
}

TEST_F(SqliteEventStoreTest, RetentionByBytesMovesTheOldest) {
  Event sample = Text("a", std::string(1000, 'z'));
  sample.mutable_received_at()->set_seconds(1700000000);  // every event the same size
  std::size_t one = 0;
  {
    std::unique_ptr<SqliteEventStore> probe = OpenOk(Options());
    ASSERT_NE(probe, nullptr);
    one = RetainedBytes(*probe->Append(sample)->retained);
  }
  std::filesystem::remove_all(Options().data_dir);
  SqliteEventStoreOptions options = Options();
  options.retention_bytes = 5 * one + one / 2;  // room for 5 events
  std::unique_ptr<SqliteEventStore> store = OpenOk(options);
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 20; ++i) store->Append(sample);
  store->Flush();
  EXPECT_EQ(store->head_seq(), 20u);
  EXPECT_EQ(store->oldest_seq(), 16u);
  EXPECT_EQ(store->retained_count(), 5u);
  EXPECT_EQ(store->retained_bytes(), 5 * one);
  EXPECT_LE(store->retained_bytes(), options.retention_bytes);
}

TEST_F(SqliteEventStoreTest, RetentionByAgeDropsOldEventsButNeverTheNewest) {
  SqliteEventStoreOptions options = Options();
  options.retention_age = std::chrono::hours(1);
  std::unique_ptr<SqliteEventStore> store = OpenOk(options);
  ASSERT_NE(store, nullptr);
  const int64_t two_hours_ago =
      std::chrono::duration_cast<std::chrono::seconds>(
          (std::chrono::system_clock::now() - std::chrono::hours(2)).time_since_epoch())
          .count();
  for (int i = 0; i < 3; ++i) {
    Event old = Text("a", "old");
    old.mutable_received_at()->set_seconds(two_hours_ago);
    store->Append(old);
  }
  store->Flush();
  EXPECT_EQ(store->oldest_seq(), 3u);  // all old: only the newest stays
  store->Append(Text("a", "new"));
  store->Flush();
  EXPECT_EQ(store->oldest_seq(), 4u);
  EXPECT_EQ(store->retained_count(), 1u);
}

TEST_F(SqliteEventStoreTest, GroupCommitPutsConcurrentAppendsInFewTransactionsInSeqOrder) {
  Gate gate;
  std::atomic<int> commits_started{0};
  SqliteEventStoreOptions options = Options(Durability::kSync);
  // The first commit waits until every append was made, so the rest is one batch.
  options.before_commit = [&] {
    if (commits_started++ == 0) gate.Wait();
  };
  std::unique_ptr<SqliteEventStore> store = OpenOk(options);
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < kPerThread; ++i) {
        store->Append(Text(std::to_string(t), std::to_string(i)));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(testing::PollUntil([&] { return gate.waiting(); }, kDeadline));
  gate.Open();
  store->Flush();

  constexpr uint64_t kTotal = kThreads * kPerThread;
  EXPECT_EQ(store->head_seq(), kTotal);
  EXPECT_GE(store->commit_count(), 1u);
  EXPECT_LE(store->commit_count(), 2u);  // the first event(s), then all the rest
  // Everything landed, in seq order, and each thread's events in the order it made them.
  std::map<std::string, int> next;
  uint64_t expected = 1;
  for (uint64_t after = 0; after < kTotal;) {
    EventStore::ReadResult read = store->ReadAfter(after, 256);
    ASSERT_FALSE(read.events.empty());
    for (const RetainedEventPtr& event : read.events) {
      ASSERT_EQ(event->seq, expected++);
      wxbridge::v1::SubscribeResponse sent;
      ASSERT_TRUE(sent.ParseFromString(Bytes(event->wire)));
      EXPECT_EQ(sent.event().text().text(), std::to_string(next[event->account]++));
      after = event->seq;
    }
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[std::to_string(t)], kPerThread);
}

TEST_F(SqliteEventStoreTest, AnEventIsReadableAndWakesReadersOnlyAfterItsCommit) {
  Gate gate;
  SqliteEventStoreOptions options = Options(Durability::kSync);
  options.before_commit = [&] { gate.Wait(); };
  std::unique_ptr<SqliteEventStore> store = OpenOk(options);
  ASSERT_NE(store, nullptr);
  std::atomic<int> woken{0};
  const uint64_t id = store->NotifyAfter(0, [&] { woken++; });
  ASSERT_NE(id, 0u);

  EXPECT_EQ(store->Append(Text("a", "x"))->event().seq(), 1u);  // numbered at once
  ASSERT_TRUE(testing::PollUntil([&] { return gate.waiting(); }, kDeadline));
  EXPECT_EQ(store->head_seq(), 0u);
  EXPECT_TRUE(store->ReadAfter(0, 10).events.empty());
  EXPECT_EQ(woken.load(), 0);
  EXPECT_NE(store->NotifyAfter(0, [] {}), 0u);  // still waiting: registers

  gate.Open();
  ASSERT_TRUE(testing::PollUntil([&] { return woken.load() == 1; }, kDeadline));
  EXPECT_EQ(store->head_seq(), 1u);
  EXPECT_EQ(Seqs(store->ReadAfter(0, 10)), (std::vector<uint64_t>{1}));
  EXPECT_FALSE(store->CancelNotify(id));        // it ran
  EXPECT_EQ(store->NotifyAfter(0, [] {}), 0u);  // readable now: read instead
}

TEST_F(SqliteEventStoreTest, CancelledWakeupsNeverRun) {
  std::unique_ptr<SqliteEventStore> store = OpenOk(Options());
  ASSERT_NE(store, nullptr);
  std::atomic<int> woken{0};
  const uint64_t id = store->NotifyAfter(0, [&] { woken++; });
  EXPECT_TRUE(store->CancelNotify(id));
  store->Append(Text("a", "x"));
  store->Flush();
  EXPECT_EQ(woken.load(), 0);
}

TEST_F(SqliteEventStoreTest, AnOversizedEventIsStoredCutAndCounted) {
  SqliteEventStoreOptions options = Options();
  options.max_event_bytes = 1024;
  options.cache_count = 0;
  std::unique_ptr<SqliteEventStore> store = OpenOk(options);
  ASSERT_NE(store, nullptr);
  StoredEventPtr stored = store->Append(Text("a", std::string(10000, 'q')));
  store->Flush();
  EXPECT_EQ(stored->event().text().text().size(), 10000u);  // the typed Event is whole
  EXPECT_EQ(store->truncated_count(), 1u);
  EventStore::ReadResult read = store->ReadAfter(0, 1);
  ASSERT_EQ(read.events.size(), 1u);
  wxbridge::v1::SubscribeResponse sent;
  ASSERT_TRUE(sent.ParseFromString(Bytes(read.events[0]->wire)));
  EXPECT_TRUE(sent.event().truncated());
  EXPECT_LE(sent.event().ByteSizeLong(), 1024u + 12);
}

}  // namespace
}  // namespace wxbridge::events
