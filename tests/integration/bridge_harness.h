// Test harness: a gateway simulator and a wxbridge in front of it, both in-process and
// talking over real loopback sockets, plus a Subscribe reader that collects messages on
// its own thread so tests can wait for conditions with deadlines.
#ifndef WXBRIDGE_TESTS_INTEGRATION_BRIDGE_HARNESS_H_
#define WXBRIDGE_TESTS_INTEGRATION_BRIDGE_HARNESS_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/app/bridge_config.h"
#include "server/app/bridge_server.h"
#include "server/sim/simulator.h"
#include "wxbridge/v1/bridge_service.grpc.pb.h"

namespace wxbridge::testing {

using std::chrono::milliseconds;
namespace v1 = ::wxbridge::v1;

// Generous: a busy 2-core CI machine. Waits end as soon as the condition holds.
inline constexpr milliseconds kWait{10000};

// A client context with a deadline, carrying "authorization: Bearer <token>" when a
// token is given.
std::unique_ptr<grpc::ClientContext> Context(milliseconds timeout = kWait,
                                             const std::string& token = "");

// Collects every message of one Subscribe stream.
class EventStream {
 public:
  EventStream(v1::BridgeService::Stub* stub, v1::SubscribeRequest request,
              const std::string& token = "");
  ~EventStream();  // Cancels and joins.

  using Predicate = std::function<bool(const v1::SubscribeResponse&)>;
  // The first message received so far (or arriving before the timeout) that matches.
  std::optional<v1::SubscribeResponse> WaitFor(const Predicate& predicate,
                                               milliseconds timeout = kWait);
  std::optional<v1::Event> WaitForEvent(const std::function<bool(const v1::Event&)>& predicate,
                                        milliseconds timeout = kWait);
  // Waits until at least n messages matched `predicate`; returns them.
  std::vector<v1::SubscribeResponse> WaitForCount(const Predicate& predicate, std::size_t n,
                                                  milliseconds timeout = kWait);
  std::vector<v1::SubscribeResponse> Received() const;
  // Waits for the stream to end; its status, or nullopt on timeout.
  std::optional<grpc::Status> WaitForEnd(milliseconds timeout = kWait);
  void Cancel();

 private:
  void ReadLoop();

  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<v1::SubscribeResponse> received_;
  std::optional<grpc::Status> end_status_;
  std::thread thread_;
};

// Every member has an initializer, so HarnessOptions{mode} initializes all of them.
struct HarnessOptions {
  sim::AckMode ack_mode = sim::AckMode::kEcho;
  // Applied after the defaults, before start.
  std::function<void(sim::SimulatorConfig&)> configure_simulator = nullptr;
  std::function<void(app::BridgeConfig&)> configure_bridge = nullptr;
  // The harness's own calls carry this bearer token (for a bridge with a tokens file).
  std::string token = {};
  // The harness's channel; insecure when null.
  std::shared_ptr<grpc::ChannelCredentials> channel_credentials = nullptr;
};

class BridgeHarness {
 public:
  explicit BridgeHarness(HarnessOptions options = {});
  ~BridgeHarness();

  sim::Simulator& sim() { return *sim_; }
  app::BridgeServer& bridge() { return *bridge_; }
  v1::BridgeService::Stub& stub() { return *stub_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  std::string target() const;

  // Replaces the simulator by a fresh one on the same port (an outage ends).
  void RestartSimulator();
  // Stops the simulator (an outage starts).
  void StopSimulator();

  // Waits until GetStatus reports the upstream CONNECTED.
  bool WaitConnected(milliseconds timeout = kWait);
  // Logs `account` in and waits (on `stream`) for LOGGED_IN and its self contact.
  ::testing::AssertionResult LogIn(const std::string& account, EventStream& stream);
  std::unique_ptr<EventStream> Subscribe(v1::SubscribeRequest request = {});

  grpc::Status SendText(const std::string& account, const std::string& to_user_name,
                        const std::string& content, milliseconds timeout = kWait);
  v1::GetStatusResponse GetStatus();
  // Polls GetStatus until `predicate` holds; the matching response, or nullopt.
  std::optional<v1::GetStatusResponse> WaitForStatus(
      const std::function<bool(const v1::GetStatusResponse&)>& predicate,
      milliseconds timeout = kWait);

 private:
  sim::SimulatorConfig sim_config_;
  std::unique_ptr<sim::Simulator> sim_;
  std::unique_ptr<app::BridgeServer> bridge_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::BridgeService::Stub> stub_;
  std::string token_;
};

// A MsgType 1 push to `account` as the gateway sends it, for Simulator::InjectFrame
// (events without a login walk).
std::string TextFrame(const std::string& account, const std::string& text, int64_t msg_id);

// Events about `account` of a given payload case.
bool IsLoginStatus(const v1::Event& e, const std::string& account, v1::LoginStatus status);
// A text message pushed to `account` with exactly `text`.
bool IsText(const v1::Event& e, const std::string& account, const std::string& text);
bool IsBridgeState(const v1::Event& e, v1::UpstreamState state);
bool IsHello(const v1::SubscribeResponse& r);

using HealthStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;
// grpc.health.v1.Health/Check for wxbridge.v1.BridgeService, with no token; nullopt when
// the call fails.
std::optional<HealthStatus> CheckHealth(grpc::Channel* channel);
bool IsHeartbeat(const v1::SubscribeResponse& r);

}  // namespace wxbridge::testing

#endif  // WXBRIDGE_TESTS_INTEGRATION_BRIDGE_HARNESS_H_
