// SimPusher, the fan-out benchmark's load: every copy arrives, stamped with the time it
// was handed to the socket, at full speed and at a fixed rate; a paced push takes about
// as long as its rate says; only connections open at the start get copies; Stop ends it.
#include "tests/bench/sim_pusher.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "gtest/gtest.h"
#include "server/common/log.h"
#include "server/sim/simulator.h"
#include "tests/support/ws_test_client.h"

namespace wxbridge::bench {
namespace {

using std::chrono::milliseconds;
using testing::WsTestClient;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kWait{5000};

// Frames carrying %SEND_NS% come back stamped with a steady_clock time.
int64_t StampOf(const std::string &frame) {
  const std::string prefix = "{\"sent\":";
  int64_t stamp = -1;
  if (frame.rfind(prefix, 0) != 0 ||
      !absl::SimpleAtoi(frame.substr(prefix.size(), frame.size() - prefix.size() - 1), &stamp)) {
    return -1;
  }
  return stamp;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

class SimPusherTest : public ::testing::Test {
 protected:
  SimPusherTest() {
    SetLogLevel(LogLevel::kWarning);
    EXPECT_TRUE(sim_.Start().ok());
  }

  std::unique_ptr<WsTestClient> Connect() {
    auto client = std::make_unique<WsTestClient>();
    EXPECT_TRUE(client->Connect(sim_.url()).ok());
    return client;
  }

  sim::Simulator sim_{sim::SimulatorConfig{}};
  SimPusher pusher_{sim_};
};

TEST_F(SimPusherTest, PushingSendsEveryCopyStampedWithItsSendTime) {
  auto client = Connect();
  ASSERT_TRUE(sim_.WaitForConnections(1, kWait));
  const int64_t start = NowNs();
  for (double rate : {0.0, 2000.0}) {
    SCOPED_TRACE(rate);
    pusher_.Start("{\"sent\":%SEND_NS%}", 200, rate);
    int64_t last = start;
    for (int i = 0; i < 200; ++i) {
      std::optional<std::string> frame = client->Receive();
      ASSERT_TRUE(frame.has_value()) << "copy " << i;
      const int64_t stamp = StampOf(*frame);
      ASSERT_GE(stamp, last) << *frame;
      last = stamp;
    }
  }
}

TEST_F(SimPusherTest, AFixedRateSpreadsTheCopiesOverTime) {
  auto client = Connect();
  ASSERT_TRUE(sim_.WaitForConnections(1, kWait));
  // 50 copies at 500/s: the last is due 98 ms after the start, and is stamped no earlier.
  const int64_t start = NowNs();
  pusher_.Start("{\"sent\":%SEND_NS%}", 50, 500);
  int64_t last = -1;
  for (int i = 0; i < 50; ++i) {
    std::optional<std::string> frame = client->Receive();
    ASSERT_TRUE(frame.has_value()) << "copy " << i;
    last = StampOf(*frame);
  }
  EXPECT_GE(last - start, 98'000'000) << "copies came faster than the rate";
}

TEST_F(SimPusherTest, FramesWithoutTheTokenGoOutAsTheyAre) {
  auto client = Connect();
  ASSERT_TRUE(sim_.WaitForConnections(1, kWait));
  pusher_.Start("plain", 3, 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client->Receive(), "plain") << "copy " << i;
}

TEST_F(SimPusherTest, OnlyConnectionsOpenAtTheStartGetCopies) {
  auto early = Connect();
  ASSERT_TRUE(sim_.WaitForConnections(1, kWait));
  pusher_.Start("copy", 2, 0);
  EXPECT_EQ(early->Receive(), "copy");
  EXPECT_EQ(early->Receive(), "copy");
  auto late = Connect();
  ASSERT_TRUE(sim_.WaitForConnections(2, kWait));
  // Frames from the simulator itself still reach both; the late one gets no copy first.
  sim_.InjectFrame("marker");
  EXPECT_EQ(late->Receive(), "marker");
  EXPECT_EQ(early->Receive(), "marker");
}

TEST_F(SimPusherTest, StopEndsThePush) {
  auto client = Connect();
  ASSERT_TRUE(sim_.WaitForConnections(1, kWait));
  constexpr int kCopies = 100000;  // 1 GB: it would take long to go out in full
  const std::string copy(10000, 'x');
  pusher_.Start(copy, kCopies, 0);
  EXPECT_EQ(client->Receive(), copy);
  pusher_.Stop();
  sim_.InjectFrame("marker");
  int copies = 1;
  std::optional<std::string> marker = client->ReceiveUntil(
      [&](const std::string &frame) {
        if (frame == "marker") return true;
        ++copies;
        return false;
      },
      kWait);
  ASSERT_TRUE(marker.has_value()) << "after " << copies << " copies";
  EXPECT_LT(copies, kCopies);
}

TEST_F(SimPusherTest, StopEndsAPacedPush) {
  auto client = Connect();
  ASSERT_TRUE(sim_.WaitForConnections(1, kWait));
  // One copy now, the next 10 s later: Stop comes first.
  pusher_.Start("copy", 2, 0.1);
  EXPECT_EQ(client->Receive(), "copy");
  const auto stop_start = Clock::now();
  pusher_.Stop();
  EXPECT_LT(Clock::now() - stop_start, kWait) << "Stop waited for the pacer";
  sim_.InjectFrame("marker");
  EXPECT_EQ(client->Receive(), "marker");
}

}  // namespace
}  // namespace wxbridge::bench
