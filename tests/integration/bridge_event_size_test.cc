// An event too large to send (a 20 MiB text push) never breaks a stream: every Subscribe
// stream, batched or not, and a client on gRPC's default 4 MiB receive limit, receive it
// cut to --max_event_bytes and marked truncated with its original size, and then the
// events after it. Real sockets: simulator -> wxbridge -> gRPC clients.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/bridge_harness.h"

namespace wxbridge::testing {
namespace {

constexpr std::size_t kHugeText = std::size_t{20} << 20;
constexpr std::size_t kFrameLimit = std::size_t{64} << 20;
constexpr std::size_t kRetentionBytes = std::size_t{16} << 20;

std::string TextPush(const std::string& text, int64_t msg_id) {
  return absl::StrCat(R"({"MsgId":)", msg_id, R"(,"NewMsgId":)", 7000000000000000000LL + msg_id,
                      R"(,"MsgType":1,"FromUserName":"wxid_bigsender","ToUserName":"wxid_alice",)",
                      R"("CreateTime":1700000000,"account":"alice","Content":")", text, R"("})");
}

// The first event matching `predicate` on `stream`, sent alone or in a batch.
std::optional<v1::Event> WaitForAnyEvent(EventStream& stream,
                                         const std::function<bool(const v1::Event&)>& predicate) {
  auto in = [&](const v1::SubscribeResponse& r) -> const v1::Event* {
    if (r.has_event() && predicate(r.event())) return &r.event();
    for (const v1::Event& e : r.batch().events()) {
      if (predicate(e)) return &e;
    }
    return nullptr;
  };
  auto found = stream.WaitFor([&](const v1::SubscribeResponse& r) { return in(r) != nullptr; });
  if (!found) return std::nullopt;
  return *in(*found);
}

class BridgeEventSizeTest : public ::testing::Test {
 protected:
  static HarnessOptions Options() {
    HarnessOptions options;
    options.configure_simulator = [](sim::SimulatorConfig& sim) {
      sim.max_frame_bytes = kFrameLimit;
    };
    options.configure_bridge = [](app::BridgeConfig& bridge) {
      bridge.upstream.max_frame_bytes = kFrameLimit;
      bridge.upstream.max_queue_bytes = 2 * kFrameLimit;
      bridge.events.retention_bytes = kRetentionBytes;
    };
    return options;
  }

  v1::SubscribeRequest Batched(uint64_t after_seq = 0) {
    v1::SubscribeRequest request;
    request.set_max_batch(64);
    request.set_after_seq(after_seq);
    return request;
  }

  BridgeHarness harness_{Options()};
  // A client as the Python and Node examples make it: gRPC's default limits.
  std::unique_ptr<v1::BridgeService::Stub> default_client_ = v1::BridgeService::NewStub(
      grpc::CreateChannel(harness_.target(), grpc::InsecureChannelCredentials()));
};

TEST_F(BridgeEventSizeTest, AHugeTextReachesEveryStreamCutAndMarkedAndTheStreamsGoOn) {
  ASSERT_TRUE(harness_.WaitConnected());
  std::vector<std::unique_ptr<EventStream>> streams;
  streams.push_back(harness_.Subscribe());
  streams.push_back(harness_.Subscribe(Batched()));
  streams.push_back(std::make_unique<EventStream>(default_client_.get(), v1::SubscribeRequest{}));
  streams.push_back(std::make_unique<EventStream>(default_client_.get(), Batched()));
  for (auto& stream : streams) ASSERT_TRUE(stream->WaitFor(IsHello));

  harness_.sim().InjectFrame(TextPush(std::string(kHugeText, 'x'), 4242));
  harness_.sim().InjectFrame(TextPush("after the big one", 4243));

  // A stream that joins afterwards replays it from the ring.
  streams.push_back(std::make_unique<EventStream>(default_client_.get(), Batched()));

  const app::BridgeConfig defaults;
  for (std::size_t i = 0; i < streams.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("stream ", i));
    auto big = WaitForAnyEvent(*streams[i], [](const v1::Event& e) { return e.msg_id() == 4242; });
    ASSERT_TRUE(big);
    EXPECT_TRUE(big->truncated());
    EXPECT_GT(big->original_bytes(), 2 * kHugeText) << "raw_json and the text";
    EXPECT_LE(big->ByteSizeLong(), defaults.events.max_event_bytes);
    EXPECT_TRUE(big->raw_json().empty());
    EXPECT_GT(big->text().text().size(), defaults.events.max_event_bytes / 2);
    EXPECT_EQ(big->text().text(), std::string(big->text().text().size(), 'x'));
    EXPECT_EQ(big->account(), "alice");
    EXPECT_EQ(big->msg_type(), 1);
    EXPECT_EQ(big->text().header().from_user_name(), "wxid_bigsender");

    auto next = WaitForAnyEvent(
        *streams[i], [](const v1::Event& e) { return IsText(e, "alice", "after the big one"); });
    ASSERT_TRUE(next);
    EXPECT_FALSE(next->truncated());
    EXPECT_EQ(next->seq(), big->seq() + 1);
  }

  const v1::GetStatusResponse status = harness_.GetStatus();
  EXPECT_EQ(status.counters().events_truncated(), 1u);
  EXPECT_GT(status.counters().events_retained_bytes(), defaults.events.max_event_bytes / 2);
  EXPECT_LT(status.counters().events_retained_bytes(), 2 * defaults.events.max_event_bytes);
  for (auto& stream : streams) {
    EXPECT_FALSE(stream->WaitForEnd(milliseconds(0))) << "the stream is still open";
  }
}

TEST_F(BridgeEventSizeTest, RetentionBytesDropTheOldestAndAResumeGetsAGap) {
  ASSERT_TRUE(harness_.WaitConnected());
  auto watcher = harness_.Subscribe();
  // Each push is cut to max_event_bytes (1 MiB): 20 of them exceed the 16 MiB bound.
  const std::string big(std::size_t{2} << 20, 'y');
  for (int i = 0; i < 20; ++i) harness_.sim().InjectFrame(TextPush(big, 100 + i));
  ASSERT_TRUE(WaitForAnyEvent(*watcher, [](const v1::Event& e) { return e.msg_id() == 119; }));

  const v1::GetStatusResponse status = harness_.GetStatus();
  EXPECT_LE(status.counters().events_retained_bytes(), kRetentionBytes);
  EXPECT_GT(status.oldest_seq(), 1u);

  v1::SubscribeRequest resume;
  resume.set_after_seq(1);
  auto resumed = std::make_unique<EventStream>(default_client_.get(), resume);
  auto gap = resumed->WaitFor([](const v1::SubscribeResponse& r) { return r.has_gap(); });
  ASSERT_TRUE(gap);
  EXPECT_EQ(gap->gap().first_missing_seq(), 2u);
  EXPECT_EQ(gap->gap().first_available_seq(), status.oldest_seq());
}

}  // namespace
}  // namespace wxbridge::testing
