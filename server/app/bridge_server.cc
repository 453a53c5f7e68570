#include "server/app/bridge_server.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "server/app/cluster_member.h"
#include "server/auth/tls_server_credentials.h"
#include "server/auth/token_authenticator.h"
#include "server/bridge/gateway_link.h"
#include "server/common/log.h"
#include "server/common/protobuf_log.h"
#include "server/events/event_log.h"
#include "server/events/sqlite_event_store.h"
#include "server/http/http_server.h"
#include "server/metrics/call_interceptor.h"
#include "server/metrics/call_metrics.h"
#include "server/metrics/cluster_collector.h"
#include "server/metrics/link_collector.h"
#include "server/metrics/metered_event_store.h"
#include "server/metrics/metrics_endpoint.h"
#include "server/metrics/pacing_collector.h"
#include "server/metrics/process_collector.h"
#include "server/metrics/subscriber_collector.h"
#include "server/rpc/bridge_service.h"
#include "server/rpc/subscribe_reactor.h"
#include "server/rpc/subscriber_registry.h"
#include "server/rpc/wakeup_dispatcher.h"

namespace wxbridge::app {

namespace {
constexpr char kServiceName[] = "wxbridge.v1.BridgeService";
// Every service the server runs, for the call metrics' method table.
const std::vector<std::string>& ServedServices() {
  static const auto* services = new std::vector<std::string>{
      kServiceName, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"};
  return *services;
}
// How long gRPC waits for idle client connections to leave after its GOAWAY.
constexpr std::chrono::milliseconds kConnectionDrain{250};
// What a Subscribe message adds around its events: the envelope, the seq, a batch header.
constexpr std::size_t kStreamMessageRoom = 64;
}  // namespace

class BridgeServer::Impl {
 public:
  explicit Impl(BridgeConfig config) : config_(std::move(config)) {}
  ~Impl() { Shutdown(); }

  absl::Status Start() {
    if (absl::Status status = ValidateConfig(config_); !status.ok()) return status;
    pacing_ = PacingEnabled(config_);  // before the simulator fills in upstream.url
    if (absl::Status status = LoadCredentials(); !status.ok()) return status;
    if (absl::Status status = OpenEventStore(); !status.ok()) return status;
    if (absl::Status status = ChooseUpstream(); !status.ok()) return status;
    CreateLink();
    // In cluster mode the member reads the accounts, and goes on following them.
    if (absl::Status status = JoinCluster(); !status.ok()) return status;
    if (!member_) {
      if (absl::Status status = link_->RestoreAccounts(); !status.ok()) {
        return absl::Status(status.code(),
                            absl::StrCat("--data_dir: reading the event log: ", status.message()));
      }
    }
    CreateService();
    RouteProtobufLogs();
    if (absl::Status status = StartGrpcServer(); !status.ok()) return status;
    if (absl::Status status = StartMetrics(); !status.ok()) return status;
    if (absl::Status status = StartHttp(); !status.ok()) return status;
    FollowUpstreamInHealth();
    if (member_) {
      // The link starts when this replica wins the lease.
      if (absl::Status status = member_->Compete(); !status.ok()) return status;
    } else {
      link_->Start();
    }
    Log(LogLevel::kInfo, "wxbridge", "serving ", kServiceName, " on ", config_.grpc.listen,
        " (port ", port_, "), upstream ", upstream::RedactUrl(config_.upstream.url),
        simulator_ ? " (embedded simulator)" : "");
    LogPacing();
    Log(LogLevel::kInfo, "wxbridge", tls_ ? "TLS on" : "plaintext (no TLS)",
        config_.grpc.tls.client_ca.empty() ? "" : ", client certificates checked",
        authenticator_->enabled() ? ", tokens required" : ", no tokens (every caller may do all)");
    if (!IsLocalListenAddress(config_.grpc.listen) && (!tls_ || !authenticator_->enabled())) {
      Log(LogLevel::kWarning, "wxbridge", "serving ", config_.grpc.listen,
          " to the network without TLS and tokens (--allow_insecure)");
    }
    return absl::OkStatus();
  }

  // Re-reads the tokens file and the TLS certificates (SIGHUP); a file that fails its
  // checks leaves what is in use. Open streams and connections are not touched.
  void Reload() {
    if (authenticator_) authenticator_->Reload();
    if (tls_) tls_->Reload();
  }

  void Shutdown() {
    std::lock_guard<std::mutex> lock(shutdown_mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    // First: a scrape reads the parts stopped below.
    metrics_.Stop();
    if (server_) {
      server_->GetHealthCheckService()->SetServingStatus(kServiceName, false);
      server_->GetHealthCheckService()->Shutdown();
    }
    if (link_) link_->RefuseNewCalls();
    // Streams never end by themselves, and a callback server's Shutdown() waits for
    // every one: finish them first.
    subscribers_.FinishAll(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                        "wxbridge is shutting down; reconnect and resume "
                                        "with after_seq and log_id"));
    // Calls already sent upstream get the grace to complete; what is left then fails.
    if (link_) {
      link_->WaitForCalls(std::chrono::steady_clock::now() + config_.shutdown_grace);
      link_->BeginShutdown();
    }
    // Every HTTP call has its answer now; streams were finished above.
    if (http_) http_->Stop();
    if (server_) {
      // Every call and stream is finishing now; the short deadline only bounds the wait
      // for idle connections (gRPC otherwise waits the whole deadline for each).
      server_->Shutdown(std::chrono::system_clock::now() + kConnectionDrain);
      server_->Wait();
    }
    if (link_) link_->Stop();
    // After the upstream closed: the lease is released, and the next holder connects.
    if (member_) member_->Stop();
    fence_target_ = nullptr;
    if (simulator_) simulator_->Stop();
    Log(LogLevel::kInfo, "wxbridge", "stopped");
  }

  void SetLeaseLostHandler(std::function<void()> handler) {
    lease_lost_handler_ = std::move(handler);
  }

  int port() const { return port_; }
  int metrics_port() const { return metrics_.port(); }
  int http_port() const { return http_ ? http_->port() : 0; }
  std::string upstream_url() const { return config_.upstream.url; }
  sim::Simulator* simulator() { return simulator_.get(); }

 private:
  void LogPacing() const {
    const pacing::PacingConfig& pace = config_.pacing;
    if (!pacing_) {
      Log(LogLevel::kInfo, "wxbridge",
          "sends are not paced (--pace=", pacing::PaceModeName(pace.mode),
          simulator_ ? " with the embedded simulator" : "", ")");
      return;
    }
    Log(LogLevel::kInfo, "wxbridge", "sends paced per account: messages ",
        pacing::FormatPaceRate(pace.messages), " (burst ", pace.messages_burst, "), social ",
        pacing::FormatPaceRate(pace.social), " (burst ", pace.social_burst, "), per chat ",
        pacing::FormatPaceRate(pace.per_chat), " (burst ", pace.per_chat_burst, "), jitter ",
        pace.jitter.count(), " ms; loop guard ",
        pace.loop_guard == 0 ? std::string("off")
                             : absl::StrCat(pace.loop_guard, " sends per chat in ",
                                            pace.loop_guard_window.count(), " ms"));
  }

  // Tokens and certificates are read before anything starts: a bad file stops the start.
  absl::Status LoadCredentials() {
    authenticator_ = std::make_unique<auth::TokenAuthenticator>(
        config_.grpc.tokens_file, rpc::BridgeServiceImpl::MethodNames());
    if (absl::Status status = authenticator_->Load(); !status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--tokens_file: ", status.message()));
    }
    if (config_.grpc.tls.enabled()) {
      tls_ = std::make_unique<auth::TlsCertificateStore>(config_.grpc.tls);
      if (absl::Status status = tls_->Load(); !status.ok()) return status;
    }
    return absl::OkStatus();
  }

  // The configured gateway, or the embedded simulator when none is.
  absl::Status ChooseUpstream() {
    if (!config_.upstream.url.empty()) {
      if (config_.calls.auth_key.empty()) {
        return absl::InvalidArgumentError(
            "an upstream gateway needs its authKey: set --auth_key_file (or WXBRIDGE_AUTH_KEY, or "
            "--auth_key)");
      }
      if (auto url = upstream::ParseUpstreamUrl(config_.upstream.url); !url.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("--upstream: ", url.status().message()));
      }
      return absl::OkStatus();
    }
    sim::SimulatorConfig sim_config = config_.simulator;
    sim_config.max_frame_bytes = config_.upstream.max_frame_bytes;
    if (config_.calls.auth_key.empty()) {
      config_.calls.auth_key = sim_config.auth_key;
    } else {
      sim_config.auth_key = config_.calls.auth_key;
    }
    simulator_ = std::make_unique<sim::Simulator>(std::move(sim_config));
    if (absl::Status status = simulator_->Start(); !status.ok()) return status;
    config_.upstream.url = simulator_->url();
    Log(LogLevel::kInfo, "wxbridge",
        "no --upstream given: running the embedded gateway simulator at ", config_.upstream.url);
    return absl::OkStatus();
  }

  // The durable log in --data_dir, or the memory ring; opened before anything starts,
  // so a refused data dir (locked, corrupt) stops the start at once.
  absl::Status OpenEventStore() {
    events::EventLogOptions events = config_.events;
    // gRPC's send limit is --max_frame_bytes: an event (with its stream message's few
    // header bytes) must fit it, or every stream would fail on it.
    events.max_event_bytes =
        std::min(events.max_event_bytes, config_.upstream.max_frame_bytes - kStreamMessageRoom);
    if (config_.cluster.enabled()) {
      if (absl::Status status = OpenClusterLog(events); !status.ok()) return status;
    } else if (config_.storage.data_dir.empty()) {
      log_ = std::make_unique<events::EventLog>(events);
    } else {
      events::SqliteEventStoreOptions durable;
      durable.data_dir = config_.storage.data_dir;
      durable.durability = config_.storage.durability;
      durable.retention_count = events.capacity;
      durable.retention_bytes = events.retention_bytes;
      durable.retention_age = config_.storage.retention_age;
      durable.max_event_bytes = events.max_event_bytes;
      auto store = events::SqliteEventStore::Open(std::move(durable));
      if (!store.ok()) {
        return absl::Status(store.status().code(),
                            absl::StrCat("--data_dir: ", store.status().message()));
      }
      log_ = *std::move(store);
    }
    if (metrics_enabled()) {
      // Appends are counted by kind on their way in; the store itself knows no metrics.
      auto metered = std::make_unique<metrics::MeteredEventStore>(std::move(log_));
      metered_log_ = metered.get();
      log_ = std::move(metered);
    }
    Log(LogLevel::kInfo, "wxbridge", "event log ", log_->log_id(), ": ", EventLogPlace(), ", seq ",
        log_->oldest_seq(), "..", log_->head_seq());
    return absl::OkStatus();
  }

  std::string EventLogPlace() const {
    if (cluster_log_ != nullptr) {
      return absl::StrCat("the NATS JetStream stream ", cluster_log_->stream_name(), " at ",
                          upstream::RedactUrl(config_.cluster.nats_url));
    }
    if (config_.storage.data_dir.empty()) {
      return "in memory only (--data_dir is empty: lost on restart)";
    }
    return absl::StrCat("durable in ", config_.storage.data_dir,
                        " (--durability=", events::DurabilityName(config_.storage.durability), ")");
  }

  // Cluster mode: the log is the cluster's JetStream stream, with the same retention.
  absl::Status OpenClusterLog(const events::EventLogOptions& events) {
    cluster::JetStreamEventStoreOptions options;
    options.nats = NatsConnectionOf(config_.cluster);
    options.cluster = config_.cluster.name;
    options.retention_count = events.capacity;
    options.retention_bytes = events.retention_bytes;
    options.retention_age = config_.storage.retention_age;
    options.max_event_bytes = events.max_event_bytes;
    options.on_fenced = [this](const absl::Status& why) {
      if (ClusterMember* member = fence_target_.load()) member->OnWriterFenced(why);
    };
    auto store = cluster::JetStreamEventStore::Open(std::move(options));
    if (!store.ok()) {
      return absl::Status(store.status().code(),
                          absl::StrCat("--nats_url: ", store.status().message()));
    }
    cluster_log_ = store->get();
    log_ = *std::move(store);
    return absl::OkStatus();
  }

  // GetStatus's and the metrics' view of the cluster.
  static std::function<void(v1::ClusterStatus*)> ClusterStatusOf(const ClusterMember* member) {
    return [member](v1::ClusterStatus* out) { member->FillStatus(out); };
  }

  // Cluster mode: the forwarder, so that calls can be taken; the lease comes later.
  absl::Status JoinCluster() {
    if (!config_.cluster.enabled()) return absl::OkStatus();
    member_ = std::make_unique<ClusterMember>(config_.cluster, link_.get(), cluster_log_, [this] {
      if (lease_lost_handler_) lease_lost_handler_();
    });
    fence_target_ = member_.get();
    if (absl::Status status = member_->Connect(); !status.ok()) return status;
    Log(LogLevel::kInfo, "wxbridge", "cluster ", config_.cluster.name, " on ",
        upstream::RedactUrl(config_.cluster.nats_url), ": lease ttl ",
        config_.cluster.lease_ttl.count(), " ms; the upstream connects when this replica holds it");
    return absl::OkStatus();
  }

  void CreateLink() {
    calls::CallRunnerOptions calls = config_.calls;
    calls.max_frame_bytes = config_.upstream.max_frame_bytes;  // one source: the flag
    std::optional<pacing::PacingConfig> pacing;
    if (pacing_) pacing = config_.pacing;
    link_ = std::make_unique<bridge::GatewayLink>(
        bridge::GatewayLinkConfig{config_.upstream, std::move(calls), pacing}, log_.get());
  }

  void CreateService() {
    rpc::SubscribeOptions subscribe = config_.subscribe;
    subscribe.max_batch_bytes =
        std::min(subscribe.max_batch_bytes, config_.upstream.max_frame_bytes - kStreamMessageRoom);
    subscribe.log = log_.get();
    subscribe.upstream_state = [link = link_.get()] { return link->state(); };
    subscribe.bridge_version = kBridgeVersion;
    subscribe.wakeups = &wakeups_;
    rpc::ServiceOptions options;
    options.default_call_timeout = config_.grpc.default_call_timeout;
    options.max_call_timeout = config_.grpc.max_call_timeout;
    options.limits = config_.limits;
    options.max_frame_bytes = config_.upstream.max_frame_bytes;
    options.embedded_simulator = simulator_ != nullptr;
    options.bridge_version = kBridgeVersion;
    if (member_) {
      options.executor = member_->executor();
      options.cluster_status = ClusterStatusOf(member_.get());
    }
    core_ = std::make_unique<rpc::CommandCore>(link_.get(), log_.get(), &subscribers_,
                                               authenticator_.get(), options);
    service_subscribe_options_ = subscribe;
    service_subscribe_options_.parser = &core_->parser();
    service_ = std::make_unique<rpc::BridgeServiceImpl>(core_.get(), &subscribers_, subscribe);
  }

  absl::Status StartGrpcServer() {
    // Without this call the linker drops the reflection library (--as-needed).
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(config_.grpc.listen,
                             tls_ ? tls_->Credentials() : grpc::InsecureServerCredentials(),
                             &port_);
    // gRPC sets SO_REUSEPORT by default: a second wxbridge on the same port would start
    // and silently share the clients. Fail its start instead.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    const int max_message = static_cast<int>(config_.upstream.max_frame_bytes);
    builder.SetMaxReceiveMessageSize(max_message);
    builder.SetMaxSendMessageSize(max_message);
    // gRPC's defaults ping after 2 h and refuse client pings more often than every 5 min.
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                               static_cast<int>(config_.grpc.keepalive_time.count()));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                               static_cast<int>(config_.grpc.keepalive_timeout.count()));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
    // Two pings inside that interval are tolerated; a third ends the connection
    // (gRPC's default, stated here so that it is never turned off by accident).
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                               static_cast<int>(config_.grpc.max_streams_per_connection));
    grpc::ResourceQuota quota("wxbridge");
    quota.Resize(config_.grpc.max_grpc_memory);
    builder.SetResourceQuota(quota);
    builder.RegisterService(service_.get());
    if (metrics_enabled()) {
      call_metrics_ = std::make_unique<metrics::CallMetrics>(ServedServices());
      std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
          interceptors;
      interceptors.push_back(metrics::MakeCallInterceptorFactory(call_metrics_.get()));
      builder.experimental().SetInterceptorCreators(std::move(interceptors));
    }
    server_ = builder.BuildAndStart();
    if (!server_ || port_ == 0) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.grpc.listen,
                                                 " (in use, or not a local address?)"));
    }
    return absl::OkStatus();
  }

  bool metrics_enabled() const { return !config_.metrics.listen.empty(); }

  // The /metrics endpoint, when --metrics_listen is set. Every collector reads counters
  // its component keeps anyway; to add one, Add it here (metrics_endpoint.h).
  absl::Status StartMetrics() {
    if (!metrics_enabled()) return absl::OkStatus();
    process_collector_ = std::make_unique<metrics::ProcessCollector>(kBridgeVersion, kBridgeCommit);
    link_collector_ = std::make_unique<metrics::LinkCollector>(link_.get());
    subscriber_collector_ =
        std::make_unique<metrics::SubscriberCollector>(&subscribers_, log_.get());
    if (!config_.http.listen.empty()) {
      http_call_metrics_ =
          std::make_unique<metrics::CallMetrics>(std::vector<std::string>{kServiceName}, "http");
      metrics_.Add(http_call_metrics_.get());
    }
    if (member_) {
      cluster_collector_ =
          std::make_unique<metrics::ClusterCollector>(ClusterStatusOf(member_.get()));
      metrics_.Add(cluster_collector_.get());
    }
    if (const pacing::SendPacer* pacer = link_->pacer()) {
      pacing_collector_ = std::make_unique<metrics::PacingCollector>(pacer);
      metrics_.Add(pacing_collector_.get());
    }
    for (const prometheus::Collectable* collector :
         std::initializer_list<const prometheus::Collectable*>{
             process_collector_.get(), call_metrics_.get(), link_collector_.get(), metered_log_,
             subscriber_collector_.get()}) {
      metrics_.Add(collector);
    }
    if (absl::Status status = metrics_.Start(config_.metrics.listen); !status.ok()) return status;
    Log(LogLevel::kInfo, "wxbridge", "metrics on http://", config_.metrics.listen, " (port ",
        metrics_.port(), ") /metrics");
    if (!IsLocalListenAddress(config_.metrics.listen)) {
      Log(LogLevel::kWarning, "wxbridge", "serving metrics on ", config_.metrics.listen,
          " to the network without TLS or tokens (--allow_insecure)");
    }
    return absl::OkStatus();
  }

  // The HTTP port, when --http_listen is set: the same core, registry and rules as gRPC.
  absl::Status StartHttp() {
    if (config_.http.listen.empty()) return absl::OkStatus();
    http::HttpServerOptions options;
    options.config = config_.http;
    options.tls = config_.grpc.tls;
    options.tokens_enabled = authenticator_->enabled();
    if (metrics_enabled()) {
      options.on_call_finished = [metrics = http_call_metrics_.get()](
                                     const std::string& method, absl::StatusCode code, bool unary,
                                     std::chrono::nanoseconds latency) {
        metrics->Record(metrics->MethodIndex(method.c_str()), static_cast<int>(code), unary,
                        latency);
      };
    }
    http_ = std::make_unique<http::HttpServer>(std::move(options), core_.get(),
                                               service_subscribe_options_, &subscribers_);
    if (absl::Status status = http_->Start(); !status.ok()) return status;
    const std::string& listen = config_.http.listen;
    Log(LogLevel::kInfo, "wxbridge", "listening on ", config_.grpc.tls.enabled() ? "https" : "http",
        "://", listen.substr(0, listen.rfind(':')), ":", http_->port(),
        " (HTTP/JSON, events, console)");
    if (!IsLocalListenAddress(listen) && (!tls_ || !authenticator_->enabled())) {
      Log(LogLevel::kWarning, "wxbridge", "serving HTTP on ", listen,
          " to the network without TLS and tokens (--allow_insecure)");
    }
    return absl::OkStatus();
  }

  // The service is SERVING exactly while the upstream is connected...
  // In cluster mode: while this replica can serve calls (cluster_member.h).
  void FollowUpstreamInHealth() {
    grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
    health->SetServingStatus(kServiceName, false);
    if (member_) {
      member_->SetServingListener(
          [health](bool serving) { health->SetServingStatus(kServiceName, serving); });
      return;
    }
    link_->SetStateListener([health](wxbridge::v1::UpstreamState state) {
      health->SetServingStatus(kServiceName, state == wxbridge::v1::UPSTREAM_STATE_CONNECTED);
    });
  }

  BridgeConfig config_;
  // Declared before the server: gRPC asks them for every call and handshake.
  std::unique_ptr<auth::TokenAuthenticator> authenticator_;
  std::unique_ptr<auth::TlsCertificateStore> tls_;
  rpc::WakeupDispatcher wakeups_;  // declared first: outlives the log and every stream
  std::unique_ptr<sim::Simulator> simulator_;
  std::unique_ptr<events::EventStore> log_;
  cluster::JetStreamEventStore* cluster_log_ = nullptr;  // log_ itself, in cluster mode
  std::unique_ptr<bridge::GatewayLink> link_;
  // Cluster mode: after the link and the log it drives; the log's fence reaches it.
  std::unique_ptr<ClusterMember> member_;
  std::atomic<ClusterMember*> fence_target_{nullptr};
  std::function<void()> lease_lost_handler_;
  rpc::SubscriberRegistry subscribers_;
  std::unique_ptr<rpc::CommandCore> core_;
  rpc::SubscribeOptions service_subscribe_options_;  // what every event stream follows
  std::unique_ptr<rpc::BridgeServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  // After everything its connections use (the core, the registry, the log).
  std::unique_ptr<http::HttpServer> http_;
  int port_ = 0;
  bool pacing_ = false;
  // Metrics (when on): the collectors, and the endpoint that serves them, declared last
  // so that it stops before anything it reads goes.
  metrics::MeteredEventStore* metered_log_ = nullptr;  // log_ itself, when metered
  std::unique_ptr<metrics::CallMetrics> call_metrics_;
  std::unique_ptr<metrics::CallMetrics> http_call_metrics_;  // with --http_listen
  std::unique_ptr<metrics::ProcessCollector> process_collector_;
  std::unique_ptr<metrics::LinkCollector> link_collector_;
  std::unique_ptr<metrics::SubscriberCollector> subscriber_collector_;
  std::unique_ptr<metrics::PacingCollector> pacing_collector_;    // when pacing is on
  std::unique_ptr<metrics::ClusterCollector> cluster_collector_;  // in cluster mode
  metrics::MetricsEndpoint metrics_;
  std::mutex shutdown_mutex_;
  bool shut_down_ = false;
};

BridgeServer::BridgeServer(BridgeConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}
BridgeServer::~BridgeServer() = default;
absl::Status BridgeServer::Start() { return impl_->Start(); }
void BridgeServer::Shutdown() { impl_->Shutdown(); }
void BridgeServer::Reload() { impl_->Reload(); }
int BridgeServer::port() const { return impl_->port(); }
int BridgeServer::metrics_port() const { return impl_->metrics_port(); }
int BridgeServer::http_port() const { return impl_->http_port(); }
std::string BridgeServer::upstream_url() const { return impl_->upstream_url(); }
sim::Simulator* BridgeServer::simulator() { return impl_->simulator(); }
void BridgeServer::SetLeaseLostHandler(std::function<void()> handler) {
  impl_->SetLeaseLostHandler(std::move(handler));
}

}  // namespace wxbridge::app
