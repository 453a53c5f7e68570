// The durable event log (--data_dir) end to end: a restart keeps every event with its seq
// and bytes, the log_id and the accounts; a resume from another log or beyond the head is
// refused rather than served; retention by bytes and by age shows as a Gap; a data dir in
// use is refused; and after kill -9 during a burst every event a subscriber had received
// is still there, under the same seq, with no hole.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/bridge_harness.h"
#include "tests/support/child_process.h"
#include "tests/support/poll_until.h"

namespace wxbridge::testing {
namespace {

using ::testing::HasSubstr;

// A fresh directory under the temp dir, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "wxbridge-data-XXXXXX").string();
    path_ = mkdtemp(pattern.data()) != nullptr ? pattern : "";
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

HarnessOptions Durable(const std::string& data_dir,
                       std::function<void(app::BridgeConfig&)> more = nullptr) {
  HarnessOptions options;
  options.configure_bridge = [data_dir, more](app::BridgeConfig& config) {
    config.storage.data_dir = data_dir;
    if (more) more(config);
  };
  return options;
}

// Every event a stream from after_seq 0 delivers up to `head`, by seq, serialized.
std::map<uint64_t, std::string> EventsUpTo(BridgeHarness& harness, uint64_t head) {
  v1::SubscribeRequest request;
  request.set_after_seq(0);
  auto stream = harness.Subscribe(request);
  stream->WaitForEvent([head](const v1::Event& e) { return e.seq() >= head; });
  std::map<uint64_t, std::string> events;
  for (const auto& message : stream->Received()) {
    if (message.has_event() && message.event().seq() <= head) {
      events[message.event().seq()] = message.event().SerializeAsString();
    }
  }
  return events;
}

TEST(BridgeDurableLogTest, ARestartKeepsEverySeqAndByteTheLogIdAndTheAccounts) {
  TempDir dir;
  std::map<uint64_t, std::string> before;
  v1::GetStatusResponse status_before;
  {
    BridgeHarness harness(Durable(dir.path()));
    ASSERT_TRUE(harness.WaitConnected());
    auto watcher = harness.Subscribe();
    ASSERT_TRUE(harness.LogIn("alice", *watcher));
    for (int i = 0; i < 20; ++i)
      harness.sim().InjectFrame(TextFrame("alice", "kept " + std::to_string(i), i + 1));
    ASSERT_TRUE(
        watcher->WaitForEvent([](const v1::Event& e) { return IsText(e, "alice", "kept 19"); }));
    status_before = harness.GetStatus();
    before = EventsUpTo(harness, status_before.head_seq());
  }
  ASSERT_FALSE(status_before.log_id().empty());
  ASSERT_EQ(before.size(), status_before.head_seq()) << "seqs are not gap-free from 1";

  BridgeHarness harness(Durable(dir.path()));
  const v1::GetStatusResponse after = harness.GetStatus();
  EXPECT_EQ(after.log_id(), status_before.log_id());
  EXPECT_GE(after.head_seq(), status_before.head_seq());
  ASSERT_EQ(after.accounts_size(), 1);
  EXPECT_EQ(after.accounts(0).account(), "alice");
  EXPECT_EQ(after.accounts(0).last_status(), v1::LOGIN_STATUS_LOGGED_IN);
  EXPECT_EQ(after.accounts(0).wx_id(), status_before.accounts(0).wx_id());
  EXPECT_EQ(EventsUpTo(harness, status_before.head_seq()), before);

  // New events continue above the old head.
  auto stream = harness.Subscribe();
  harness.sim().InjectFrame(TextFrame("alice", "after the restart", 100));
  auto fresh = stream->WaitForEvent(
      [](const v1::Event& e) { return IsText(e, "alice", "after the restart"); });
  ASSERT_TRUE(fresh);
  EXPECT_GT(fresh->seq(), status_before.head_seq());
}

TEST(BridgeDurableLogTest, AResumeFromAnotherLogOrAboveTheHeadIsRefused) {
  BridgeHarness harness;  // a memory log: a restart would be a new log
  ASSERT_TRUE(harness.WaitConnected());
  const v1::GetStatusResponse status = harness.GetStatus();
  auto hello = harness.Subscribe();
  auto first = hello->WaitFor(IsHello);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->hello().log_id(), status.log_id());

  v1::SubscribeRequest other;
  other.set_after_seq(1);
  other.set_log_id("0123456789abcdef0123456789abcdef");
  EventStream refused(&harness.stub(), other);
  auto end = refused.WaitForEnd();
  ASSERT_TRUE(end);
  EXPECT_EQ(end->error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(end->error_message(), HasSubstr(other.log_id()));
  EXPECT_THAT(end->error_message(), HasSubstr(status.log_id()));

  v1::SubscribeRequest beyond;
  beyond.set_after_seq(status.head_seq() + 1000);
  EventStream out_of_range(&harness.stub(), beyond);
  end = out_of_range.WaitForEnd();
  ASSERT_TRUE(end);
  EXPECT_EQ(end->error_code(), grpc::StatusCode::OUT_OF_RANGE);

  v1::SubscribeRequest same;
  same.set_after_seq(0);
  same.set_log_id(status.log_id());
  EventStream resumed(&harness.stub(), same);
  EXPECT_TRUE(resumed.WaitFor(IsHello));
}

TEST(BridgeDurableLogTest, RetentionByBytesShowsAsAGapNamingTheLog) {
  TempDir dir;
  BridgeHarness harness(Durable(dir.path(), [](app::BridgeConfig& config) {
    config.events.retention_bytes = 64 << 10;
    config.events.max_event_bytes = 16 << 10;
  }));
  ASSERT_TRUE(harness.WaitConnected());
  auto watcher = harness.Subscribe();
  const std::string padding(2000, 'x');
  for (int i = 0; i < 100; ++i)
    harness.sim().InjectFrame(TextFrame("alice", absl::StrCat("bulk ", i, " ", padding), i + 1));
  ASSERT_TRUE(watcher->WaitForEvent([](const v1::Event& e) {
    return e.has_text() && absl::StartsWith(e.text().text(), "bulk 99 ");
  }));
  const v1::GetStatusResponse status = harness.GetStatus();
  ASSERT_GT(status.oldest_seq(), 1u);
  EXPECT_LE(status.counters().events_retained_bytes(), 64u << 10);

  v1::SubscribeRequest from_start;
  from_start.set_after_seq(0);
  auto resumed = harness.Subscribe(from_start);
  auto gap = resumed->WaitFor([](const v1::SubscribeResponse& r) { return r.has_gap(); });
  ASSERT_TRUE(gap);
  EXPECT_EQ(gap->gap().first_missing_seq(), 1u);
  EXPECT_GE(gap->gap().first_available_seq(), status.oldest_seq());
  EXPECT_EQ(gap->gap().log_id(), status.log_id());
}

TEST(BridgeDurableLogTest, RetentionByAgeDropsTheOldestEvents) {
  TempDir dir;
  BridgeHarness harness(Durable(dir.path(), [](app::BridgeConfig& config) {
    config.storage.retention_age = std::chrono::seconds(1);
  }));
  ASSERT_TRUE(harness.WaitConnected());
  harness.sim().InjectFrame(TextFrame("alice", "old", 1));
  const uint64_t old_seq =
      harness.WaitForStatus([](const v1::GetStatusResponse& s) { return s.head_seq() >= 2; })
          ->head_seq();
  // Keep appending (retention runs with the commits) until the old event has aged out.
  int next = 2;
  EXPECT_TRUE(PollUntil(
      [&] {
        harness.sim().InjectFrame(TextFrame("alice", "new", next++));
        return harness.GetStatus().oldest_seq() > old_seq;
      },
      std::chrono::milliseconds(20000)))
      << "events older than --event_retention_age were never dropped";
}

TEST(BridgeDurableLogTest, ADataDirInUseIsRefused) {
  TempDir dir;
  BridgeHarness first(Durable(dir.path()));
  app::BridgeConfig config;
  config.grpc.listen = "127.0.0.1:0";
  config.storage.data_dir = dir.path();
  app::BridgeServer second(config);
  const absl::Status started = second.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(started.message()), HasSubstr("--data_dir"));
  EXPECT_THAT(std::string(started.message()), HasSubstr("in use"));
}

TEST(BridgeDurableLogTest, ACorruptLogStopsTheStartInsteadOfStartingAfresh) {
  TempDir dir;
  {
    BridgeHarness harness(Durable(dir.path()));
    ASSERT_TRUE(harness.WaitConnected());
  }
  {
    std::FILE* file = std::fopen((dir.path() + "/events.db").c_str(), "r+b");
    ASSERT_NE(file, nullptr);
    const std::string garbage(4096, '\x5a');
    std::fwrite(garbage.data(), 1, garbage.size(), file);
    std::fclose(file);
  }
  app::BridgeConfig config;
  config.grpc.listen = "127.0.0.1:0";
  config.storage.data_dir = dir.path();
  app::BridgeServer bridge(config);
  const absl::Status started = bridge.Start();
  EXPECT_FALSE(started.ok());
  EXPECT_THAT(std::string(started.message()), HasSubstr("--data_dir"));
}

// The real binary, killed with SIGKILL while a burst of pushes arrives.
TEST(BridgeDurableLogTest, KillNineDuringABurstLosesNothingASubscriberSaw) {
  TempDir dir;
  sim::SimulatorConfig sim_config;
  sim_config.world_size = 1;
  sim::Simulator sim(sim_config);
  ASSERT_TRUE(sim.Start().ok());
  auto start_bridge = [&] {
    ChildOptions options;
    options.env = {absl::StrCat("WXBRIDGE_AUTH_KEY=", sim_config.auth_key)};
    auto child = std::make_unique<ChildProcess>(
        std::vector<std::string>{WXBRIDGE_BINARY, "--listen=127.0.0.1:0",
                                 "--data_dir=" + dir.path(), "--upstream=" + sim.url(),
                                 "--log_level=warning"},
        options);
    child->ReadPort(kWait);
    return child;
  };

  std::map<uint64_t, std::string> seen;
  {
    auto bridge = start_bridge();
    ASSERT_GT(bridge->port(), 0);
    auto stub = v1::BridgeService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", bridge->port()), grpc::InsecureChannelCredentials()));
    EventStream stream(stub.get(), v1::SubscribeRequest());
    ASSERT_TRUE(stream.WaitFor(IsHello));
    ASSERT_TRUE(PollUntil([&] { return sim.connection_count() > 0; }, kWait));
    for (int i = 0; i < 2000; ++i)
      sim.InjectFrame(TextFrame("alice", absl::StrCat("burst ", i), i + 1));
    // Kill once some of the burst has been delivered, while the rest is still arriving.
    ASSERT_TRUE(
        stream.WaitForEvent([](const v1::Event& e) { return IsText(e, "alice", "burst 200"); }));
    ASSERT_EQ(kill(bridge->pid(), SIGKILL), 0);
    bridge->Wait(kWait);
    stream.WaitForEnd();
    for (const auto& message : stream.Received()) {
      if (message.has_event()) seen[message.event().seq()] = message.event().SerializeAsString();
    }
  }
  ASSERT_FALSE(seen.empty());

  auto bridge = start_bridge();
  ASSERT_GT(bridge->port(), 0);
  auto stub = v1::BridgeService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", bridge->port()), grpc::InsecureChannelCredentials()));
  v1::SubscribeRequest from_start;
  from_start.set_after_seq(0);
  EventStream replay(stub.get(), from_start);
  const uint64_t last_seen = seen.rbegin()->first;
  ASSERT_TRUE(replay.WaitForEvent([&](const v1::Event& e) { return e.seq() >= last_seen; }));
  std::map<uint64_t, std::string> stored;
  for (const auto& message : replay.Received()) {
    if (message.has_event()) stored[message.event().seq()] = message.event().SerializeAsString();
  }
  for (const auto& [seq, bytes] : seen) {
    auto it = stored.find(seq);
    ASSERT_NE(it, stored.end()) << "seq " << seq << " was delivered, then lost";
    EXPECT_EQ(it->second, bytes) << "seq " << seq << " changed";
  }
  uint64_t expected = stored.begin()->first;
  for (const auto& [seq, bytes] : stored) EXPECT_EQ(seq, expected++) << "a hole in the seqs";
}

}  // namespace
}  // namespace wxbridge::testing
