// The Prometheus endpoint (--metrics_listen) over real sockets: a scrape during a small
// load finds every family moving as it should — calls by method and code, latency,
// events by kind, deliveries, gaps, the event log's bounds, upstream traffic and a
// reconnect after a forced drop, login status per account, the process — and the
// listen address follows the gRPC port's loopback rule.
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/sim/simulator.h"
#include "tests/integration/bridge_harness.h"
#include "tests/support/metrics_scrape.h"
#include "tests/support/poll_until.h"

namespace wxbridge::testing {
namespace {

using sim::Simulator;

constexpr char kCalls[] = "wxbridge_grpc_calls_total";
// A small ring, so that a resume from seq 1 after a few dozen events gets a Gap.
constexpr std::size_t kRetainedEvents = 16;

class BridgeMetricsTest : public ::testing::Test {
 protected:
  BridgeMetricsTest()
      : harness_(HarnessOptions{sim::AckMode::kEcho, nullptr, [](app::BridgeConfig& c) {
                                  c.metrics.listen = "127.0.0.1:0";
                                  c.events.capacity = kRetainedEvents;
                                }}) {}

  MetricsScrape Scrape() {
    absl::StatusOr<MetricsScrape> scrape = MetricsScrape::Fetch(harness_.bridge().metrics_port());
    EXPECT_TRUE(scrape.ok()) << scrape.status();
    return scrape.ok() ? *std::move(scrape) : MetricsScrape("");
  }

  // Scrapes until `condition` holds on a scrape; that scrape's last state on timeout.
  bool ScrapeUntil(const std::function<bool(const MetricsScrape&)>& condition,
                   MetricsScrape* last) {
    return PollUntil(
        [&] {
          *last = Scrape();
          return condition(*last);
        },
        kWait);
  }

  double SendTextCalls(const MetricsScrape& scrape, const std::string& code) {
    return scrape.ValueOr0(kCalls, {{"method", "SendText"}, {"code", code}});
  }

  BridgeHarness harness_;
};

TEST_F(BridgeMetricsTest, EveryFamilyMovesUnderLoad) {
  ASSERT_GT(harness_.bridge().metrics_port(), 0);
  ASSERT_TRUE(harness_.WaitConnected());
  // WaitConnected watched a stream of its own; the bridge unregisters it shortly after.
  MetricsScrape before("");
  ASSERT_TRUE(ScrapeUntil(
      [](const MetricsScrape& scrape) { return scrape.ValueOr0("wxbridge_subscribers") == 0; },
      &before));
  EXPECT_EQ(before.Value("wxbridge_upstream_state", {{"state", "connected"}}), 1);

  auto stream = harness_.Subscribe();
  ASSERT_TRUE(harness_.LogIn("alice", *stream));
  constexpr int kSent = 5;
  for (int i = 0; i < kSent; ++i) {
    ASSERT_TRUE(harness_.SendText("alice", Simulator::WxIdFor("bob"), absl::StrCat("m", i)).ok());
  }
  v1::SendTextRequest no_recipient;
  no_recipient.set_account("alice");
  no_recipient.set_content("x");
  v1::SendTextResponse response;
  EXPECT_EQ(harness_.stub().SendText(Context().get(), no_recipient, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  for (int i = 0; i < 3 * static_cast<int>(kRetainedEvents); ++i) {
    harness_.sim().InjectFrame(TextFrame("alice", absl::StrCat("pushed ", i), 1000 + i));
  }
  ASSERT_TRUE(
      stream->WaitForEvent([](const v1::Event& e) { return IsText(e, "alice", "pushed 47"); }));
  // The live stream may have fallen behind the small ring too: count from here. A
  // resume from seq 1, long dropped from it, gets one Gap.
  const double gaps = Scrape().ValueOr0("wxbridge_subscriber_gaps_total");
  v1::SubscribeRequest resume;
  resume.set_after_seq(1);
  EventStream resumed(&harness_.stub(), resume);
  ASSERT_TRUE(resumed.WaitFor([](const v1::SubscribeResponse& r) { return r.has_gap(); }));

  MetricsScrape after("");
  ASSERT_TRUE(ScrapeUntil(
      [&](const MetricsScrape& s) {
        return SendTextCalls(s, "OK") == SendTextCalls(before, "OK") + kSent &&
               s.ValueOr0("wxbridge_subscriber_max_lag_events") == 0 &&
               s.ValueOr0("wxbridge_subscribers") == 2;
      },
      &after))
      << after.body();
  // Calls by method and code, and the unary latency histogram.
  EXPECT_EQ(SendTextCalls(after, "INVALID_ARGUMENT"), 1);
  EXPECT_GE(after.ValueOr0("wxbridge_grpc_call_duration_seconds_count", {{"method", "SendText"}}),
            kSent + 1);
  EXPECT_GT(after.ValueOr0("wxbridge_grpc_call_duration_seconds_sum", {{"method", "SendText"}}), 0);
  EXPECT_GE(after.ValueOr0(kCalls, {{"method", "Login"}, {"code", "OK"}}), 1);
  // Events by kind and the log's bounds.
  EXPECT_GE(after.ValueOr0("wxbridge_events_appended_total", {{"kind", "text"}}),
            3 * kRetainedEvents);
  EXPECT_GE(after.ValueOr0("wxbridge_events_appended_total", {{"kind", "login_status"}}), 1);
  const v1::GetStatusResponse status = harness_.GetStatus();
  EXPECT_EQ(after.Value("wxbridge_event_log_retained_events"), kRetainedEvents);
  EXPECT_LE(after.ValueOr0("wxbridge_event_log_head_seq"), status.head_seq());
  EXPECT_GT(after.ValueOr0("wxbridge_event_log_oldest_seq"), 1);
  EXPECT_GT(after.ValueOr0("wxbridge_event_log_retained_bytes"), 0);
  // Subscribers: deliveries and the gap.
  EXPECT_GE(after.ValueOr0("wxbridge_subscriber_events_delivered_total"), 3 * kRetainedEvents);
  EXPECT_EQ(after.Value("wxbridge_subscriber_gaps_total"), gaps + 1);
  // Upstream traffic, both ways, and the login status per account.
  EXPECT_GT(after.ValueOr0("wxbridge_upstream_frames_received_total"),
            before.ValueOr0("wxbridge_upstream_frames_received_total"));
  EXPECT_GT(after.ValueOr0("wxbridge_upstream_received_bytes_total"),
            before.ValueOr0("wxbridge_upstream_received_bytes_total"));
  EXPECT_GE(after.ValueOr0("wxbridge_upstream_frames_sent_total"),
            before.ValueOr0("wxbridge_upstream_frames_sent_total") + kSent);
  EXPECT_GT(after.ValueOr0("wxbridge_upstream_sent_bytes_total"),
            before.ValueOr0("wxbridge_upstream_sent_bytes_total"));
  EXPECT_EQ(after.Value("wxbridge_write_queue_frames"), 0);
  EXPECT_EQ(after.Value("wxbridge_write_queue_bytes"), 0);
  EXPECT_EQ(
      after.Value("wxbridge_account_login_status", {{"account", "alice"}, {"status", "logged_in"}}),
      1);
  EXPECT_EQ(after.Value("wxbridge_account_login_status",
                        {{"account", "alice"}, {"status", "waiting_for_scan"}}),
            0);
  // The process.
  EXPECT_GT(after.ValueOr0("process_cpu_seconds_total"), 0);
  EXPECT_GT(after.ValueOr0("process_resident_memory_bytes"), 1e6);
  EXPECT_GT(after.ValueOr0("process_open_fds"), 3);
  EXPECT_EQ(after.Value("wxbridge_build_info", {{"version", app::kBridgeVersion}}), 1);
}

TEST_F(BridgeMetricsTest, AForcedDropCountsAReconnect) {
  ASSERT_TRUE(harness_.WaitConnected());
  const double reconnects = Scrape().ValueOr0("wxbridge_upstream_reconnects_total");
  harness_.sim().DropConnections();
  MetricsScrape after("");
  EXPECT_TRUE(ScrapeUntil(
      [&](const MetricsScrape& s) {
        return s.ValueOr0("wxbridge_upstream_reconnects_total") == reconnects + 1 &&
               s.Value("wxbridge_upstream_state", {{"state", "connected"}}) == 1;
      },
      &after))
      << after.body();
  EXPECT_GE(after.ValueOr0("wxbridge_events_appended_total", {{"kind", "bridge_state"}}), 3);
}

TEST_F(BridgeMetricsTest, HealthAndReflectionCallsAreCountedToo) {
  ASSERT_TRUE(harness_.WaitConnected());
  ASSERT_EQ(CheckHealth(harness_.channel().get()), grpc::health::v1::HealthCheckResponse::SERVING);
  MetricsScrape after("");
  EXPECT_TRUE(ScrapeUntil(
      [](const MetricsScrape& s) {
        return s.ValueOr0(kCalls, {{"service", "grpc.health.v1.Health"},
                                   {"method", "Check"},
                                   {"code", "OK"}}) >= 1;
      },
      &after))
      << after.body();
}

TEST(BridgeMetricsConfigTest, OffByDefault) {
  BridgeHarness harness;
  EXPECT_EQ(harness.bridge().metrics_port(), 0);
}

TEST(BridgeMetricsConfigTest, ANetworkAddressNeedsAllowInsecure) {
  app::BridgeConfig config;
  config.metrics.listen = "0.0.0.0:9464";
  const absl::Status refused = app::ValidateConfig(config);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.message()), ::testing::HasSubstr("--allow_insecure"));
  config.grpc.allow_insecure = true;
  EXPECT_TRUE(app::ValidateConfig(config).ok());
  config.metrics.listen = "unix:/tmp/metrics";
  EXPECT_EQ(app::ValidateConfig(config).code(), absl::StatusCode::kInvalidArgument);
  config.metrics.listen = "[::1]:9464";
  config.grpc.allow_insecure = false;
  EXPECT_TRUE(app::ValidateConfig(config).ok());
}

}  // namespace
}  // namespace wxbridge::testing
