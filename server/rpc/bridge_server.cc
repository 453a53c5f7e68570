#include "server/rpc/bridge_server.h"

#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/bridge/gateway_link.h"
#include "server/common/log.h"
#include "server/events/event_log.h"
#include "server/rpc/bridge_service.h"
#include "server/rpc/subscribe_reactor.h"
#include "server/upstream/upstream_client.h"

namespace wxbridge::rpc {

const char kBridgeVersion[] = "0.1.0";

namespace {
constexpr char kServiceName[] = "wxbridge.v1.BridgeService";
constexpr std::chrono::milliseconds kConnectionDrain{250};
}  // namespace

class BridgeServer::Impl {
 public:
  explicit Impl(BridgeConfig config) : config_(std::move(config)) {}
  ~Impl() { Shutdown(); }

  absl::Status Start() {
    if (config_.upstream_url.empty()) {
      if (absl::Status status = StartSimulator(); !status.ok()) return status;
    } else if (config_.auth_key.empty()) {
      return absl::InvalidArgumentError(
          "an upstream gateway needs its authKey: set WXBRIDGE_AUTH_KEY (or --auth_key)");
    }
    if (auto url = upstream::ParseUpstreamUrl(config_.upstream_url); !url.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--upstream: ", url.status().message()));
    }

    log_ = std::make_unique<events::EventLog>(
        events::EventLogOptions{config_.event_retention});
    bridge::GatewayLinkConfig link_config;
    link_config.upstream.url = config_.upstream_url;
    link_config.upstream.connect_timeout = config_.connect_timeout;
    link_config.upstream.ping_interval = config_.ping_interval;
    link_config.upstream.backoff_initial = config_.backoff_initial;
    link_config.upstream.backoff_max = config_.backoff_max;
    link_config.upstream.max_frame_bytes = config_.max_frame_bytes;
    link_config.upstream.tls_verify_peer = config_.tls_verify_peer;
    link_config.auth_key = config_.auth_key;
    link_ = std::make_unique<bridge::GatewayLink>(std::move(link_config), log_.get());

    SubscribeOptions subscribe;
    subscribe.log = log_.get();
    subscribe.upstream_state = [link = link_.get()] { return link->state(); };
    subscribe.default_heartbeat = config_.heartbeat_interval;
    subscribe.bridge_version = kBridgeVersion;
    subscribe.wakeups = &wakeups_;
    ServiceOptions options;
    options.default_call_timeout = config_.default_call_timeout;
    options.max_frame_bytes = config_.max_frame_bytes;
    options.embedded_simulator = simulator_ != nullptr;
    options.bridge_version = kBridgeVersion;
    service_ = std::make_unique<BridgeServiceImpl>(link_.get(), log_.get(), &subscribers_,
                                                   options, subscribe);

    // Without these calls the linker drops reflection (TOOLCHAIN.md pitfall 1).
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(config_.listen, grpc::InsecureServerCredentials(), &port_);
    // gRPC sets SO_REUSEPORT by default: a second wxbridge on the same port would start
    // and silently share the clients. Fail its start instead.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.SetMaxReceiveMessageSize(static_cast<int>(config_.max_frame_bytes));
    builder.SetMaxSendMessageSize(static_cast<int>(config_.max_frame_bytes));
    // Keepalive (TOOLCHAIN.md pitfall 9): find half-open clients, allow client pings.
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                               static_cast<int>(config_.keepalive_time.count()));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                               static_cast<int>(config_.keepalive_timeout.count()));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    if (!server_ || port_ == 0) {
      return absl::UnavailableError(absl::StrCat(
          "cannot listen on ", config_.listen, " (in use, or not a local address?)"));
    }
    grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
    health->SetServingStatus(kServiceName, false);
    link_->SetStateListener([health](wxbridge::v1::UpstreamState state) {
      health->SetServingStatus(kServiceName, state == wxbridge::v1::UPSTREAM_STATE_CONNECTED);
    });
    link_->Start();
    Log(LogLevel::kInfo, "wxbridge", "serving ", kServiceName, " on ", config_.listen,
        " (port ", port_, "), upstream ", upstream::RedactUrl(config_.upstream_url),
        simulator_ ? " (embedded simulator)" : "");
    return absl::OkStatus();
  }

  void Shutdown() {
    std::lock_guard<std::mutex> lock(shutdown_mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    if (server_) {
      server_->GetHealthCheckService()->SetServingStatus(kServiceName, false);
      server_->GetHealthCheckService()->Shutdown();
    }
    if (link_) link_->RefuseNewCalls();
    // Streams never end by themselves: finish them first, or Shutdown() waits forever
    // (TOOLCHAIN.md pitfall 8).
    subscribers_.FinishAll(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                        "wxbridge is shutting down; reconnect and resume "
                                        "with after_seq"));
    // Calls already sent upstream get the grace to complete; what is left then fails.
    if (link_) {
      link_->WaitForCalls(std::chrono::steady_clock::now() + config_.shutdown_grace);
      link_->BeginShutdown();
    }
    if (server_) {
      // Every call and stream is finishing now. The short deadline only bounds how long
      // gRPC waits for idle client connections to leave after its GOAWAY (it otherwise
      // waits the whole deadline for each open channel).
      server_->Shutdown(std::chrono::system_clock::now() + kConnectionDrain);
      server_->Wait();
    }
    if (link_) link_->Stop();
    if (simulator_) simulator_->Stop();
    Log(LogLevel::kInfo, "wxbridge", "stopped");
  }

  int port() const { return port_; }
  std::string upstream_url() const { return config_.upstream_url; }
  sim::Simulator* simulator() { return simulator_.get(); }

 private:
  absl::Status StartSimulator() {
    sim::SimulatorConfig sim_config = config_.simulator;
    if (config_.auth_key.empty()) {
      config_.auth_key = sim_config.auth_key;
    } else {
      sim_config.auth_key = config_.auth_key;
    }
    simulator_ = std::make_unique<sim::Simulator>(std::move(sim_config));
    if (absl::Status status = simulator_->Start(); !status.ok()) return status;
    config_.upstream_url = simulator_->url();
    Log(LogLevel::kInfo, "wxbridge", "no --upstream given: running the embedded gateway "
        "simulator at ", config_.upstream_url);
    return absl::OkStatus();
  }

  BridgeConfig config_;
  WakeupDispatcher wakeups_;  // declared first: outlives the log and every stream
  std::unique_ptr<sim::Simulator> simulator_;
  std::unique_ptr<events::EventLog> log_;
  std::unique_ptr<bridge::GatewayLink> link_;
  SubscriberRegistry subscribers_;
  std::unique_ptr<BridgeServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::mutex shutdown_mutex_;
  bool shut_down_ = false;
};

BridgeServer::BridgeServer(BridgeConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}
BridgeServer::~BridgeServer() = default;
absl::Status BridgeServer::Start() { return impl_->Start(); }
void BridgeServer::Shutdown() { impl_->Shutdown(); }
int BridgeServer::port() const { return impl_->port(); }
std::string BridgeServer::upstream_url() const { return impl_->upstream_url(); }
sim::Simulator* BridgeServer::simulator() { return impl_->simulator(); }

}  // namespace wxbridge::rpc
