// Subscribe end to end: the hello and heartbeats that tell a live stream from a dead
// one, typed events from real conversations, filters, resumption with after_seq (and
// the explicit gap behind the retention window), isolation from stalled subscribers,
// cleanup on cancel, and fan-out to many subscribers.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/bridge_harness.h"

namespace wxbridge::testing {
namespace {

using google::protobuf::util::TimeUtil;
using sim::AckMode;
using sim::Simulator;
using ::testing::StartsWith;

std::vector<v1::Event> EventsOf(const std::vector<v1::SubscribeResponse>& messages) {
  std::vector<v1::Event> events;
  for (const auto& m : messages) {
    if (m.has_event()) events.push_back(m.event());
  }
  return events;
}

// Bridge and simulator, connected, with one subscriber watching everything.
class BridgeStreamTest : public ::testing::TestWithParam<AckMode> {
 protected:
  BridgeStreamTest() : BridgeStreamTest(HarnessOptions{GetParam()}) {}
  explicit BridgeStreamTest(HarnessOptions options) : harness_(std::move(options)) {
    EXPECT_TRUE(harness_.WaitConnected());
    // An echoing gateway acknowledges the bind (code 100) sent at connect: wait for that
    // ack's event, so tests that count events see only their own.
    if (GetParam() == AckMode::kEcho) {
      v1::SubscribeRequest from_start;
      from_start.set_after_seq(0);
      EventStream all(&harness_.stub(), from_start);
      EXPECT_TRUE(all.WaitForEvent([](const v1::Event& e) { return e.has_command_reply(); }));
    }
    watcher_ = harness_.Subscribe();
  }

  void LogInAliceAndBob() {
    ASSERT_TRUE(harness_.LogIn(alice_, *watcher_));
    ASSERT_TRUE(harness_.LogIn(bob_, *watcher_));
  }

  // Sends `text` from one account to the other and waits until the recipient has it.
  v1::Event Say(const std::string& from, const std::string& to, const std::string& text) {
    grpc::Status status = harness_.SendText(from, Simulator::WxIdFor(to), text);
    EXPECT_TRUE(status.ok()) << status.error_message();
    auto event = watcher_->WaitForEvent([&](const v1::Event& e) { return IsText(e, to, text); });
    EXPECT_TRUE(event) << "\"" << text << "\" never reached " << to;
    return event.value_or(v1::Event());
  }

  BridgeHarness harness_;
  std::unique_ptr<EventStream> watcher_;
  const std::string alice_ = "alice";
  const std::string bob_ = "bob";
};

// Subscriptions behave the same whatever the gateway's ack mode: run once.
class BridgeFanoutTest : public BridgeStreamTest {};

class BridgeRetentionTest : public BridgeStreamTest {
 protected:
  static constexpr std::size_t kRetention = 8;
  BridgeRetentionTest()
      : BridgeStreamTest(HarnessOptions{GetParam(), nullptr, [](app::BridgeConfig& config) {
                                          config.events.capacity = kRetention;
                                        }}) {}
};

TEST_P(BridgeFanoutTest, HelloComesFirstThenHeartbeatsAtTheRequestedInterval) {
  const auto interval = TimeUtil::MillisecondsToDuration(200);
  const uint64_t head_before = harness_.GetStatus().head_seq();
  v1::SubscribeRequest request;
  *request.mutable_heartbeat_interval() = interval;
  const auto start = std::chrono::steady_clock::now();
  EventStream stream(&harness_.stub(), request);

  // Each wait ends as the heartbeat arrives; the deadline only guards a silent stream.
  // Arrival times are measured here: server_time may be coarser than the interval.
  ASSERT_EQ(stream.WaitForCount(IsHeartbeat, 1, milliseconds(3000)).size(), 1u)
      << "a quiet stream must carry heartbeats";
  const auto first = std::chrono::steady_clock::now() - start;
  std::vector<v1::SubscribeResponse> beats =
      stream.WaitForCount(IsHeartbeat, 2, milliseconds(3000));
  ASSERT_EQ(beats.size(), 2u);
  const auto second = std::chrono::steady_clock::now() - start;
  EXPECT_GE(first, milliseconds(180)) << "heartbeat sooner than the interval";
  EXPECT_GE(second, milliseconds(380)) << "heartbeats closer than the interval";

  const std::vector<v1::SubscribeResponse> all = stream.Received();
  ASSERT_TRUE(all.front().has_hello()) << all.front().ShortDebugString();
  const v1::StreamHello& hello = all.front().hello();
  EXPECT_EQ(hello.upstream_state(), v1::UPSTREAM_STATE_CONNECTED);
  EXPECT_GE(hello.head_seq(), head_before);
  EXPECT_LE(hello.head_seq(), harness_.GetStatus().head_seq());
  EXPECT_EQ(hello.heartbeat_interval(), interval);
  EXPECT_FALSE(hello.bridge_version().empty());
  for (const auto& beat : beats) {
    EXPECT_EQ(beat.heartbeat().interval(), interval);
    EXPECT_GE(beat.heartbeat().head_seq(), hello.head_seq());
  }
}

TEST_P(BridgeStreamTest, AConversationArrivesAsTypedTextEventsInOrder) {
  LogInAliceAndBob();
  struct Line {
    std::string from, to, text;
  };
  const std::vector<Line> conversation = {{alice_, bob_, "Bob, 在吗?"},
                                          {bob_, alice_, "在! What's up?"},
                                          {alice_, bob_, "Lunch at 12 🍜"}};
  for (const Line& line : conversation) Say(line.from, line.to, line.text);

  std::vector<v1::Event> texts;
  for (const v1::Event& e : EventsOf(watcher_->Received())) {
    if (e.has_text()) texts.push_back(e);
  }
  ASSERT_EQ(texts.size(), conversation.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const Line& line = conversation[i];
    const v1::Event& e = texts[i];
    EXPECT_EQ(e.account(), line.to);
    EXPECT_EQ(e.msg_type(), 1);
    EXPECT_EQ(e.text().text(), line.text);
    EXPECT_EQ(e.text().header().from_user_name(), Simulator::WxIdFor(line.from));
    EXPECT_EQ(e.text().header().to_user_name(), Simulator::WxIdFor(line.to));
    if (i > 0) {
      EXPECT_GT(e.seq(), texts[i - 1].seq());
    }
  }
}

TEST_P(BridgeStreamTest, AnAccountFilterPassesOnlyThatAccountsEvents) {
  v1::SubscribeRequest request;
  request.add_accounts(alice_);
  auto alice_only = harness_.Subscribe(request);
  LogInAliceAndBob();
  const v1::Event to_bob = Say(alice_, bob_, "for bob");
  const v1::Event to_alice = Say(bob_, alice_, "for alice");
  ASSERT_LT(to_bob.seq(), to_alice.seq());

  // Bob's message came first: had the filter let it through, it would be here by now.
  ASSERT_TRUE(
      alice_only->WaitForEvent([&](const v1::Event& e) { return IsText(e, alice_, "for alice"); }));
  bool saw_own_login = false;
  for (const v1::Event& e : EventsOf(alice_only->Received())) {
    EXPECT_TRUE(e.account() == alice_ || e.has_bridge_state()) << e.ShortDebugString();
    saw_own_login |= IsLoginStatus(e, alice_, v1::LOGIN_STATUS_LOGGED_IN);
  }
  EXPECT_TRUE(saw_own_login);
}

TEST_P(BridgeStreamTest, AKindFilterPassesOnlyThoseKinds) {
  v1::SubscribeRequest request;
  request.add_kinds(v1::EVENT_KIND_LOGIN_STATUS);
  request.add_kinds(v1::EVENT_KIND_TEXT);
  auto filtered = harness_.Subscribe(request);
  LogInAliceAndBob();  // also pushes contacts, which the filter excludes
  Say(alice_, bob_, "only texts and statuses");

  ASSERT_TRUE(filtered->WaitForEvent(
      [&](const v1::Event& e) { return IsText(e, bob_, "only texts and statuses"); }));
  bool saw_status = false;
  for (const v1::Event& e : EventsOf(filtered->Received())) {
    EXPECT_TRUE(e.has_login_status() || e.has_text()) << e.ShortDebugString();
    saw_status |= e.has_login_status();
  }
  EXPECT_TRUE(saw_status);
}

TEST_P(BridgeStreamTest, ResumingWithAfterSeqDeliversEveryLaterEventInOrder) {
  LogInAliceAndBob();
  auto first = harness_.Subscribe();
  for (int i = 0; i < 3; ++i) Say(alice_, bob_, absl::StrCat("before ", i));
  auto last_read =
      first->WaitForEvent([&](const v1::Event& e) { return IsText(e, bob_, "before 2"); });
  ASSERT_TRUE(last_read);
  const uint64_t resume_after = last_read->seq();
  first.reset();  // cancels: the client goes away

  for (int i = 0; i < 3; ++i) Say(bob_, alice_, absl::StrCat("after ", i));
  const uint64_t head = harness_.GetStatus().head_seq();

  v1::SubscribeRequest request;
  request.set_after_seq(resume_after);
  auto resumed = harness_.Subscribe(request);
  ASSERT_TRUE(resumed->WaitForEvent([&](const v1::Event& e) { return e.seq() >= head; }));

  const std::vector<v1::SubscribeResponse> messages = resumed->Received();
  ASSERT_TRUE(messages.front().has_hello());
  std::vector<std::string> texts;
  uint64_t expected_seq = resume_after + 1;
  for (std::size_t i = 1; i < messages.size(); ++i) {
    if (messages[i].has_heartbeat()) continue;
    ASSERT_TRUE(messages[i].has_event()) << messages[i].ShortDebugString();
    const v1::Event& e = messages[i].event();
    ASSERT_EQ(e.seq(), expected_seq++) << "resumed stream skipped or repeated an event";
    if (e.has_text()) texts.push_back(e.text().text());
  }
  EXPECT_GT(expected_seq, head);
  EXPECT_EQ(texts, (std::vector<std::string>{"after 0", "after 1", "after 2"}));
}

TEST_P(BridgeRetentionTest, ResumingBehindTheWindowGetsAGapThenTheRetainedEvents) {
  constexpr int kFrames = 20;
  for (int i = 0; i < kFrames; ++i) {
    harness_.sim().InjectFrame(TextFrame(alice_, absl::StrCat("burst ", i), 100 + i));
  }
  auto newest = watcher_->WaitForEvent(
      [&](const v1::Event& e) { return IsText(e, alice_, absl::StrCat("burst ", kFrames - 1)); });
  ASSERT_TRUE(newest);
  const v1::GetStatusResponse status = harness_.GetStatus();
  ASSERT_EQ(status.head_seq(), newest->seq()) << "nothing else should arrive meanwhile";
  EXPECT_EQ(status.oldest_seq(), status.head_seq() - kRetention + 1);
  const uint64_t first_burst_seq = newest->seq() - (kFrames - 1);

  v1::SubscribeRequest request;
  request.set_after_seq(first_burst_seq);
  auto resumed = harness_.Subscribe(request);
  ASSERT_TRUE(
      resumed->WaitForEvent([&](const v1::Event& e) { return e.seq() == status.head_seq(); }));

  std::vector<v1::SubscribeResponse> messages = resumed->Received();
  ASSERT_GE(messages.size(), 2 + kRetention);
  ASSERT_TRUE(messages[0].has_hello());
  ASSERT_TRUE(messages[1].has_gap()) << messages[1].ShortDebugString();
  EXPECT_EQ(messages[1].gap().first_missing_seq(), first_burst_seq + 1);
  EXPECT_EQ(messages[1].gap().first_available_seq(), status.oldest_seq());
  for (std::size_t i = 0; i < kRetention; ++i) {
    const v1::SubscribeResponse& m = messages[2 + i];
    ASSERT_TRUE(m.has_event()) << m.ShortDebugString();
    EXPECT_EQ(m.event().seq(), status.oldest_seq() + i);
    EXPECT_EQ(m.event().text().text(), absl::StrCat("burst ", kFrames - kRetention + i));
  }
}

TEST_P(BridgeFanoutTest, ABatchedStreamCarriesEveryEventInOrderInFewerMessages) {
  constexpr int kFrames = 300;
  constexpr uint32_t kMaxBatch = 64;
  for (int i = 0; i < kFrames; ++i) {
    harness_.sim().InjectFrame(TextFrame(alice_, absl::StrCat("batched ", i), 500 + i));
  }
  auto newest = watcher_->WaitForEvent(
      [&](const v1::Event& e) { return IsText(e, alice_, absl::StrCat("batched ", kFrames - 1)); });
  ASSERT_TRUE(newest);
  const uint64_t first_seq = newest->seq() - (kFrames - 1);

  // Everything is already waiting: the stream replays it in full batches.
  v1::SubscribeRequest request;
  request.set_after_seq(first_seq - 1);
  request.set_max_batch(kMaxBatch);
  auto batched = harness_.Subscribe(request);
  ASSERT_TRUE(batched->WaitFor([&](const v1::SubscribeResponse& r) {
    return r.has_batch() && r.batch().events(r.batch().events_size() - 1).seq() == newest->seq();
  }));
  std::vector<v1::SubscribeResponse> messages = batched->Received();
  ASSERT_TRUE(messages[0].has_hello());
  uint64_t expected_seq = first_seq;
  std::size_t batches = 0;
  for (std::size_t i = 1; i < messages.size(); ++i) {
    if (messages[i].has_heartbeat()) continue;
    ASSERT_TRUE(messages[i].has_batch()) << "a batched stream sends only batches";
    const v1::EventBatch& batch = messages[i].batch();
    ASSERT_GE(batch.events_size(), 1);
    ASSERT_LE(batch.events_size(), static_cast<int>(kMaxBatch));
    ++batches;
    for (const v1::Event& e : batch.events()) {
      ASSERT_EQ(e.seq(), expected_seq) << "skipped or repeated";
      EXPECT_EQ(e.text().text(), absl::StrCat("batched ", expected_seq - first_seq));
      ++expected_seq;
    }
  }
  EXPECT_EQ(expected_seq, newest->seq() + 1);
  EXPECT_EQ(batches, (kFrames + kMaxBatch - 1) / kMaxBatch);

  // Live: a single event goes at once, in a batch of one.
  harness_.sim().InjectFrame(TextFrame(alice_, "live", 900));
  auto live = batched->WaitFor([](const v1::SubscribeResponse& r) {
    return r.has_batch() && r.batch().events(0).text().text() == "live";
  });
  ASSERT_TRUE(live);
  EXPECT_EQ(live->batch().events_size(), 1);
}

TEST_P(BridgeFanoutTest, AStalledSubscriberDoesNotDelayAFastOne) {
  // The stalled client has a connection of its own, as a stuck process would.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto stalled_stub = v1::BridgeService::NewStub(
      grpc::CreateCustomChannel(harness_.target(), grpc::InsecureChannelCredentials(), args));
  grpc::ClientContext stalled_context;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> stalled =
      stalled_stub->Subscribe(&stalled_context, v1::SubscribeRequest());  // never Read
  v1::SubscribeRequest texts_only;
  texts_only.add_kinds(v1::EVENT_KIND_TEXT);
  auto fast = harness_.Subscribe(texts_only);
  ASSERT_TRUE(harness_.WaitForStatus(
      [](const v1::GetStatusResponse& s) { return s.counters().subscribers() == 3; }));

  // ~2 KB per event (text plus raw_json): megabytes, far beyond any flow-control window.
  constexpr int kFrames = 2000;
  const std::string padding(1000, 'x');
  for (int i = 0; i < kFrames; ++i) {
    harness_.sim().InjectFrame(TextFrame(alice_, absl::StrCat("bulk ", i, " ", padding), i + 1));
  }
  std::vector<v1::SubscribeResponse> received = fast->WaitForCount(
      [](const v1::SubscribeResponse& r) { return r.has_event(); }, kFrames, milliseconds(20000));
  ASSERT_EQ(received.size(), static_cast<std::size_t>(kFrames));
  for (int i = 0; i < kFrames; ++i) {
    ASSERT_THAT(received[i].event().text().text(), StartsWith(absl::StrCat("bulk ", i, " ")));
  }
  // The stalled stream was bypassed, not dropped.
  EXPECT_EQ(harness_.GetStatus().counters().subscribers(), 3u);
  stalled_context.TryCancel();
  EXPECT_EQ(stalled->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_P(BridgeFanoutTest, CancellingAStreamFreesIt) {
  auto subscribers_are = [&](uint64_t n) {
    return harness_
        .WaitForStatus(
            [n](const v1::GetStatusResponse& s) { return s.counters().subscribers() == n; })
        .has_value();
  };
  ASSERT_TRUE(subscribers_are(1));  // the watcher
  std::vector<std::unique_ptr<EventStream>> streams;
  for (int i = 0; i < 3; ++i) streams.push_back(harness_.Subscribe());
  ASSERT_TRUE(subscribers_are(4));

  streams[0]->Cancel();
  auto end = streams[0]->WaitForEnd();
  ASSERT_TRUE(end);
  EXPECT_EQ(end->error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(subscribers_are(3));
  streams.clear();
  EXPECT_TRUE(subscribers_are(1));
}

TEST_P(BridgeFanoutTest, AHundredSubscribersAllReceiveTheSameEvent) {
  std::vector<std::unique_ptr<EventStream>> streams;
  for (int i = 0; i < 100; ++i) streams.push_back(harness_.Subscribe());
  const std::string frame = TextFrame(alice_, "to every subscriber", 4242);
  harness_.sim().InjectFrame(frame);

  auto is_it = [&](const v1::Event& e) { return IsText(e, alice_, "to every subscriber"); };
  auto reference = watcher_->WaitForEvent(is_it);
  ASSERT_TRUE(reference);
  EXPECT_EQ(reference->raw_json(), frame);
  for (std::size_t i = 0; i < streams.size(); ++i) {
    auto event = streams[i]->WaitForEvent(is_it);
    ASSERT_TRUE(event) << "subscriber " << i << " missed the event";
    EXPECT_EQ(event->seq(), reference->seq());
    EXPECT_EQ(event->raw_json(), frame);
  }
}

INSTANTIATE_TEST_SUITE_P(AckModes, BridgeStreamTest,
                         ::testing::Values(AckMode::kEcho, AckMode::kNone));
INSTANTIATE_TEST_SUITE_P(AckModes, BridgeRetentionTest,
                         ::testing::Values(AckMode::kEcho, AckMode::kNone));
INSTANTIATE_TEST_SUITE_P(Echo, BridgeFanoutTest, ::testing::Values(AckMode::kEcho));

}  // namespace
}  // namespace wxbridge::testing
