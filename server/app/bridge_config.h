// Every setting of a wxbridge process, as one tree. Each default is written once, in the
// struct that owns it (upstream::UpstreamConfig, calls::CallRunnerOptions,
// rpc::SubscribeOptions, protocol::RequestLimits, sim::SimulatorConfig,
// pacing::PacingConfig, common/limits.h or here); main.cc fills the tree from
// flags, tests fill it directly, and ValidateConfig() says what is wrong with it.
#ifndef WXBRIDGE_SERVER_APP_BRIDGE_CONFIG_H_
#define WXBRIDGE_SERVER_APP_BRIDGE_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "server/auth/tls_server_credentials.h"
#include "server/calls/call_runner.h"
#include "server/common/limits.h"
#include "server/events/event_log.h"
#include "server/events/sqlite_event_store.h"
#include "server/http/http_config.h"
#include "server/pacing/pacing_config.h"
#include "server/protocol/request_limits.h"
#include "server/rpc/subscribe_options.h"
#include "server/sim/simulator.h"
#include "server/upstream/upstream_client.h"

namespace wxbridge::app {

// The gRPC server's own settings.
struct GrpcConfig {
  // Listen address; port 0 picks a free one (BridgeServer::port()).
  std::string listen = "127.0.0.1:50051";
  // Applied to calls whose client sets no deadline.
  std::chrono::milliseconds default_call_timeout{30000};
  // A client's deadline longer than this is clamped to it.
  std::chrono::milliseconds max_call_timeout = kDefaultMaxCallTimeout;
  // Server-side keepalive: ping idle clients, drop half-open connections.
  std::chrono::milliseconds keepalive_time{30000};
  std::chrono::milliseconds keepalive_timeout{10000};
  // Streams (calls and Subscribes) one client connection may have open at once; more
  // wait in the client (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS).
  std::size_t max_streams_per_connection = 1000;
  // Memory gRPC may use for its buffers across all connections (its ResourceQuota);
  // near it gRPC shrinks read buffers and refuses new connections.
  std::size_t max_grpc_memory = std::size_t{1} << 30;
  // TLS for the port (tls.cert and tls.key together); tls.client_ca adds mTLS.
  auth::TlsFiles tls;
  // Bearer tokens and their scopes (server/auth/token_file.h); empty: every caller may
  // do everything, which is accepted only on a local listen address.
  std::string tokens_file;
  // Serve a non-loopback address without TLS and tokens anyway.
  bool allow_insecure = false;
};

// Where events are kept: a durable SQLite log in data_dir, or the memory ring (lost on
// restart, and a new log_id) when data_dir is empty. Retention counts and bytes are
// BridgeConfig::events' for both.
struct StorageConfig {
  // Relative paths are from the working directory.
  std::string data_dir = "wxbridge-data";
  // sync: an event reaches subscribers only once fsync'ed; os: no fsync (survives a
  // process crash, not a power loss).
  events::Durability durability = events::Durability::kSync;
  // Events older than this are dropped (durable log only); 0: no age bound.
  std::chrono::seconds retention_age{0};
};

// The Prometheus endpoint. It has no TLS or tokens of its own: what it shows (counts,
// account ids, states; never message content or secrets) is for the machine's operator.
struct MetricsConfig {
  // host:port serving GET /metrics; empty: no metrics, and no per-call interceptor. A
  // non-loopback host needs GrpcConfig::allow_insecure, as the gRPC port does.
  std::string listen;
};

// Cluster mode (docs/cluster.md): replicas started alike share one event log, a NATS
// JetStream stream, and a lease decides which one holds the upstream.
struct ClusterConfig {
  // The cluster's name ([A-Za-z0-9_-]+); empty: a single bridge, no NATS.
  std::string name;
  std::string nats_url = "nats://127.0.0.1:4222";
  // A NATS .creds file (user JWT and NKey seed), or empty.
  std::string nats_creds_file;
  // A PEM CA bundle for TLS to NATS (TLS on, checked against it), or empty.
  std::string nats_tls_ca_file;
  // How long a holder's lease lasts without renewal; a failover takes about this long.
  std::chrono::milliseconds lease_ttl{5000};
  bool enabled() const { return !name.empty(); }
};

struct BridgeConfig {
  GrpcConfig grpc;
  MetricsConfig metrics;
  // The HTTP/JSON API, event stream and web console; it uses grpc.tls, grpc.tokens_file
  // and grpc.allow_insecure, the same rules as the gRPC port.
  http::HttpConfig http;
  // The gateway connection. An empty url starts the embedded simulator.
  // upstream.max_frame_bytes is also the largest gRPC message and the simulator's limit.
  upstream::UpstreamConfig upstream;
  // calls.auth_key is the gateway authKey; with the embedded simulator an empty key
  // means the simulator's default. calls.max_frame_bytes is ignored: the server
  // assembly sets it from upstream.max_frame_bytes.
  calls::CallRunnerOptions calls;
  // What each command request may hold (field sizes, wx_ids, SendRaw.data_json).
  protocol::RequestLimits limits;
  // Values only: the server assembly supplies the collaborators.
  rpc::SubscribeOptions subscribe;
  // events.capacity and retention_bytes: events kept for Subscribe resumption
  // (after_seq). events.max_event_bytes is also capped by the server assembly so that a
  // stream message fits gRPC's send limit (upstream.max_frame_bytes).
  events::EventLogOptions events;
  StorageConfig storage;
  // How long shutdown waits for calls already sent upstream.
  std::chrono::milliseconds shutdown_grace{3000};
  // The embedded simulator (used only when upstream.url is empty).
  sim::SimulatorConfig simulator;
  // Send pacing and the loop guard (docs/pacing.md); see PacingEnabled().
  pacing::PacingConfig pacing;
  ClusterConfig cluster;
};

// Whether sends are paced: pacing.mode, where auto means on with a real gateway (a
// non-empty upstream.url) and off with the embedded simulator.
bool PacingEnabled(const BridgeConfig& config);

// The largest retention accepted: the ring's slots are allocated up front.
inline constexpr std::size_t kMaxEventRetention = std::size_t{1} << 24;

// OK, or INVALID_ARGUMENT naming the setting (by its flag) and what it must be.
absl::Status ValidateConfig(const BridgeConfig& config);

// True when `listen` reaches only this machine: a unix: socket or a loopback host.
bool IsLocalListenAddress(const std::string& listen);

}  // namespace wxbridge::app

#endif  // WXBRIDGE_SERVER_APP_BRIDGE_CONFIG_H_
