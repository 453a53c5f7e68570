// The bridge's one write queue, seen from a client over real sockets: a call that ended
// is never written afterwards, a gateway that stops reading is dropped after
// --write_timeout, and a full queue refuses new calls with RESOURCE_EXHAUSTED.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/bridge_harness.h"
#include "tests/integration/pending_call.h"

namespace wxbridge::testing {
namespace {

using sim::AckMode;
using sim::Simulator;
using ::testing::HasSubstr;

using ImageCall = PendingCall<v1::SendImageRequest, v1::SendImageResponse>;
using TextCall = PendingCall<v1::SendTextRequest, v1::SendTextResponse>;

const std::string kAccount = "alice";
const std::string kPeer = Simulator::WxIdFor("bob");

// An image whose frame no loopback socket buffer absorbs: its write stays in flight
// while the gateway does not read.
std::unique_ptr<ImageCall> SendLargeImage(v1::BridgeService::Stub& stub, std::size_t bytes,
                                          milliseconds timeout) {
  v1::SendImageRequest request;
  request.set_account(kAccount);
  request.set_to_user_name(kPeer);
  request.set_image(std::string(bytes, 'i'));
  return std::make_unique<ImageCall>(
      [&stub](auto... args) { stub.async()->SendImage(std::move(args)...); }, std::move(request),
      timeout);
}

std::unique_ptr<TextCall> SendText(v1::BridgeService::Stub& stub, const std::string& text,
                                   milliseconds timeout) {
  v1::SendTextRequest request;
  request.set_account(kAccount);
  request.set_to_user_name(kPeer);
  request.set_content(text);
  return std::make_unique<TextCall>(
      [&stub](auto... args) { stub.async()->SendText(std::move(args)...); }, std::move(request),
      timeout);
}

bool AnyFrameContains(const std::vector<std::string>& frames, const std::string& text) {
  for (const auto& frame : frames) {
    if (frame.find(text) != std::string::npos) return true;
  }
  return false;
}

// The stalled gateway reads again: waits for the image call to end, then for a marker call
// sent after it to reach the gateway, and returns every frame the gateway received by then.
std::vector<std::string> ResumeAndCollectFrames(BridgeHarness& harness, ImageCall& image) {
  harness.sim().SetStalled(false);
  EXPECT_TRUE(image.Wait(milliseconds(60000))) << "the image call never ended";
  auto marker = SendText(harness.stub(), "marker-after-the-stall", kWait);
  EXPECT_TRUE(marker->Wait(kWait));
  EXPECT_TRUE(harness.sim().WaitForReceived(
      [](const std::vector<std::string>& frames) {
        return AnyFrameContains(frames, "marker-after-the-stall");
      },
      kWait))
      << "the call after the stall never reached the gateway";
  return harness.sim().ReceivedFrames();
}

HarnessOptions Options(std::function<void(app::BridgeConfig&)> configure) {
  return HarnessOptions{AckMode::kEcho, nullptr,
                        [configure = std::move(configure)](app::BridgeConfig& c) {
                          // Only the write path may notice the stalled gateway here.
                          c.upstream.ping_interval = milliseconds(60000);
                          configure(c);
                        }};
}

constexpr std::size_t kLargeImage = std::size_t{12} << 20;

// Encoding a large image takes a while on the caller's thread: calls started after this
// returns true queue behind its frame.
bool WaitImageQueued(BridgeHarness& harness) {
  return harness
      .WaitForStatus([](const v1::GetStatusResponse& status) {
        return status.counters().bytes_queued() > kLargeImage;
      })
      .has_value();
}

// A connected bridge whose gateway stopped reading during a large image: every call made
// now queues behind the image's frame.
class QueuedBehindAnImageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(harness.WaitConnected());
    harness.sim().SetStalled(true);
    image = SendLargeImage(harness.stub(), kLargeImage, milliseconds(60000));
    ASSERT_TRUE(WaitImageQueued(harness)) << "the image frame never reached the write queue";
  }

  BridgeHarness harness{
      Options([](app::BridgeConfig& c) { c.upstream.write_timeout = milliseconds(60000); })};
  std::unique_ptr<ImageCall> image;  // declared last: ends before the bridge
};

TEST_F(QueuedBehindAnImageTest, ACallThatFailedItsDeadlineWhileQueuedIsNeverWritten) {
  std::vector<std::unique_ptr<TextCall>> texts;
  for (int i = 0; i < 5; ++i) {
    texts.push_back(SendText(harness.stub(), "queued-" + std::to_string(i), milliseconds(1000)));
  }
  for (auto& text : texts) {
    auto status = text->Wait(kWait);
    ASSERT_TRUE(status) << "a queued call outlived its deadline";
    EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE) << status->error_message();
    EXPECT_THAT(status->error_message(), HasSubstr("did not take the request"));
  }

  // The gateway reads again: the image goes out, then a new call; the failed ones never.
  const std::vector<std::string> frames = ResumeAndCollectFrames(harness, *image);
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(AnyFrameContains(frames, "queued-" + std::to_string(i)))
        << "call " << i << " failed, yet its frame reached the gateway";
  }
}

TEST_F(QueuedBehindAnImageTest, ACallItsClientCancelledWhileQueuedIsNeverWritten) {
  const uint64_t failed_before = harness.GetStatus().counters().calls_failed();

  auto text = SendText(harness.stub(), "cancelled-by-its-client", milliseconds(60000));
  ASSERT_TRUE(harness.WaitForStatus([](const v1::GetStatusResponse& status) {
    return status.counters().frames_queued() >= 2;
  })) << "the text never queued behind the image";
  text->Cancel();
  auto status = text->Wait(kWait);
  ASSERT_TRUE(status) << "a cancelled call did not end";
  EXPECT_EQ(status->error_code(), grpc::StatusCode::CANCELLED);
  // The bridge ends the call too: it is counted failed and its frame leaves the queue.
  EXPECT_TRUE(harness.WaitForStatus([&](const v1::GetStatusResponse& s) {
    return s.counters().calls_failed() == failed_before + 1 && s.counters().frames_queued() == 1;
  }));

  EXPECT_FALSE(
      AnyFrameContains(ResumeAndCollectFrames(harness, *image), "cancelled-by-its-client"));
}

TEST(BridgeWriteQueueTest, AGatewayThatStopsReadingIsDroppedAfterTheWriteTimeout) {
  BridgeHarness harness(
      Options([](app::BridgeConfig& c) { c.upstream.write_timeout = milliseconds(300); }));
  ASSERT_TRUE(harness.WaitConnected());
  auto watcher = harness.Subscribe();
  harness.sim().SetStalled(true);
  auto image = SendLargeImage(harness.stub(), kLargeImage, milliseconds(3000));
  ASSERT_TRUE(WaitImageQueued(harness)) << "the image frame never reached the write queue";
  auto text = SendText(harness.stub(), "behind-the-image", milliseconds(3000));

  auto dropped = watcher->WaitForEvent([](const v1::Event& e) {
    return e.has_bridge_state() && e.bridge_state().state() == v1::UPSTREAM_STATE_DISCONNECTED &&
           e.bridge_state().detail().find("--write_timeout") != std::string::npos;
  });
  ASSERT_TRUE(dropped) << "the bridge kept a connection whose writes never completed";
  // The bridge still answers while its gateway is away.
  EXPECT_NE(harness.GetStatus().upstream_state(), v1::UPSTREAM_STATE_CONNECTED);

  auto image_status = image->Wait(kWait);
  auto text_status = text->Wait(kWait);
  ASSERT_TRUE(image_status && text_status) << "calls outlived their deadline";
  EXPECT_EQ(image_status->error_code(), grpc::StatusCode::UNAVAILABLE)
      << image_status->error_message();
  EXPECT_EQ(text_status->error_code(), grpc::StatusCode::UNAVAILABLE)
      << text_status->error_message();

  harness.sim().SetStalled(false);
  ASSERT_TRUE(harness.WaitConnected());
  EXPECT_FALSE(AnyFrameContains(harness.sim().ReceivedFrames(), "behind-the-image"));
}

TEST(BridgeWriteQueueTest, AFullQueueRefusesNewCallsWithResourceExhausted) {
  constexpr std::size_t kLimit = std::size_t{4} << 20;
  BridgeHarness harness(Options([](app::BridgeConfig& c) {
    c.upstream.write_timeout = milliseconds(60000);
    c.upstream.max_frame_bytes = kLimit;
    c.upstream.max_queue_bytes = kLimit;
  }));
  ASSERT_TRUE(harness.WaitConnected());
  harness.sim().SetStalled(true);

  // Each frame is ~3.3 MB: socket buffers absorb a few, then the queue fills.
  std::vector<std::unique_ptr<ImageCall>> images;
  std::optional<grpc::Status> refused;
  for (int i = 0; i < 16 && !refused; ++i) {
    images.push_back(SendLargeImage(harness.stub(), std::size_t{5} << 19, milliseconds(60000)));
    auto status = images.back()->Wait(milliseconds(500));
    if (status && status->error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) refused = status;
  }
  ASSERT_TRUE(refused) << "16 large frames were queued for a gateway that reads nothing";
  EXPECT_THAT(refused->error_message(), HasSubstr("--max_queue_bytes"));
  EXPECT_LE(harness.GetStatus().counters().bytes_queued(), kLimit);
  // Other calls are still answered.
  EXPECT_EQ(harness.GetStatus().upstream_state(), v1::UPSTREAM_STATE_CONNECTED);
  harness.sim().SetStalled(false);
}

TEST(BridgeWriteQueueTest, AFrameTheGatewayRefusesAsTooBigFailsItsCallAndIsNotSentAgain) {
  constexpr std::size_t kGatewayLimit = 64 << 10;
  HarnessOptions options;
  options.configure_simulator = [](sim::SimulatorConfig& c) { c.max_frame_bytes = kGatewayLimit; };
  BridgeHarness harness(options);
  ASSERT_TRUE(harness.WaitConnected());
  auto stream = harness.Subscribe();
  ASSERT_TRUE(harness.LogIn("alice", *stream));
  const std::size_t connections = harness.sim().connections_accepted();
  // Within the bridge's own limits, over the gateway's: it closes with code 1009.
  const std::string too_big = "refused-as-too-big" + std::string(kGatewayLimit, 'x');
  const grpc::Status status = harness.SendText("alice", Simulator::WxIdFor("bob"), too_big);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("1009"));
  // The bridge reconnects, and the refused frame is not written on the new connection:
  // the next call goes through.
  ASSERT_TRUE(harness.sim().WaitForConnections(connections + 1, kWait));
  ASSERT_TRUE(harness.WaitConnected());
  EXPECT_TRUE(harness.SendText("alice", Simulator::WxIdFor("bob"), "after-the-refusal").ok());
  EXPECT_FALSE(AnyFrameContains(harness.sim().ReceivedFrames(), "refused-as-too-big"));
  // The simulator (Beast) resets the connection while the frame is still being written;
  // the bridge still reads the close frame first, so the frame is not written again.
  EXPECT_EQ(harness.sim().connections_accepted(), connections + 1)
      << "the refused frame was written again on a new connection";
}

}  // namespace
}  // namespace wxbridge::testing
