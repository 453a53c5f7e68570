#include "server/app/bridge_config.h"

#include <climits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/cluster/event_subjects.h"
#include "server/common/loopback.h"

namespace wxbridge::app {
namespace {

using std::chrono::milliseconds;

// Durations are handed to gRPC as int milliseconds and to steady_clock deadlines: keep
// every one well inside both.
constexpr milliseconds kLongestDuration{INT_MAX};

absl::Status CheckDuration(const char* flag, milliseconds value, milliseconds least) {
  if (value < least || value > kLongestDuration) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, " must be between ", least.count(),
                                                   " ms and ", kLongestDuration.count(), " ms"));
  }
  return absl::OkStatus();
}

absl::Status CheckSize(const char* flag, std::size_t value, std::size_t least, std::size_t most) {
  if (value < least || value > most) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " must be between ", least, " and ", most));
  }
  return absl::OkStatus();
}

// A CA file is only meaningful for a verified wss:// upstream; saying so beats ignoring
// it. Loading it here makes a bad file stop the start, not every connection attempt.
absl::Status CheckTlsCaFile(const upstream::UpstreamConfig& up) {
  if (up.tls_ca_file.empty()) return absl::OkStatus();
  if (!up.tls_verify_peer) {
    return absl::InvalidArgumentError("--tls_ca_file has no effect with --tls_verify=false");
  }
  if (absl::StatusOr<upstream::UpstreamUrl> url = upstream::ParseUpstreamUrl(up.url);
      !url.ok() || !url->tls) {
    return absl::InvalidArgumentError("--tls_ca_file needs a wss:// --upstream");
  }
  if (absl::Status loaded = upstream::CheckTlsCaFile(up.tls_ca_file); !loaded.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--tls_ca_file: ", loaded.message()));
  }
  return absl::OkStatus();
}

// TLS files come in pairs, and a port others can reach needs TLS and tokens: without
// them anyone there could read every event and act as every account.
absl::Status CheckGrpcSecurity(const GrpcConfig& grpc) {
  if (grpc.tls.cert.empty() != grpc.tls.key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key must be given together");
  }
  if (!grpc.tls.client_ca.empty() && !grpc.tls.enabled()) {
    return absl::InvalidArgumentError("--tls_client_ca needs --tls_cert and --tls_key");
  }
  if (IsLocalListenAddress(grpc.listen) || grpc.allow_insecure ||
      (grpc.tls.enabled() && !grpc.tokens_file.empty())) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "refusing to serve ", grpc.listen, " without ",
      grpc.tls.enabled() ? "" : "TLS (--tls_cert, --tls_key)",
      !grpc.tls.enabled() && grpc.tokens_file.empty() ? " and " : "",
      grpc.tokens_file.empty() ? "tokens (--tokens_file)" : "",
      ": anyone who reaches it could read every event and act as every account. Listen on "
      "127.0.0.1 or a unix: socket, add them, or pass --allow_insecure to accept the risk"));
}

// The HTTP port follows the gRPC port's rule (it serves the same calls and events): a
// port others can reach needs TLS and tokens, or --allow_insecure.
absl::Status CheckHttpListen(const BridgeConfig& config) {
  const std::string& listen = config.http.listen;
  if (listen.empty()) return absl::OkStatus();
  const std::size_t colon = listen.rfind(':');
  if (absl::StartsWith(listen, "unix") || colon == std::string::npos || colon == 0 ||
      colon + 1 == listen.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http_listen must be IP:PORT (e.g. 127.0.0.1:8080), not \"", listen, "\""));
  }
  if (absl::Status body =
          CheckSize("http_max_body_bytes", config.http.max_body_bytes, 1024, std::size_t{1} << 30);
      !body.ok()) {
    return body;
  }
  const GrpcConfig& grpc = config.grpc;
  if (IsLocalListenAddress(listen) || grpc.allow_insecure ||
      (grpc.tls.enabled() && !grpc.tokens_file.empty())) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "refusing to serve HTTP on ", listen, " without ",
      grpc.tls.enabled() ? "" : "TLS (--tls_cert, --tls_key)",
      !grpc.tls.enabled() && grpc.tokens_file.empty() ? " and " : "",
      grpc.tokens_file.empty() ? "tokens (--tokens_file)" : "",
      ": anyone who reaches it could read every event and act as every account. Listen on "
      "127.0.0.1, add them, or pass --allow_insecure to accept the risk"));
}

// A rate's burst must be at least 1 (a bucket that holds nothing sends nothing); an
// unlimited rate ignores it.
absl::Status CheckBurst(const char* flag, uint32_t burst) {
  return CheckSize(flag, burst, 1, 1000000);
}

absl::Status CheckPacing(const pacing::PacingConfig& pace) {
  for (absl::Status status : {
           CheckBurst("pace_messages_burst", pace.messages_burst),
           CheckBurst("pace_social_burst", pace.social_burst),
           CheckBurst("pace_per_chat_burst", pace.per_chat_burst),
           CheckDuration("pace_jitter", pace.jitter, milliseconds(0)),
           CheckSize("loop_guard", pace.loop_guard, 0, 1000000),
           CheckDuration("loop_guard_window", pace.loop_guard_window, milliseconds(1)),
       }) {
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// The metrics endpoint follows the gRPC port's rule: only this machine, unless the
// operator accepts the exposure. civetweb listens on host:port only (no unix: sockets).
absl::Status CheckMetricsListen(const MetricsConfig& metrics, bool allow_insecure) {
  if (metrics.listen.empty()) return absl::OkStatus();
  const std::size_t colon = metrics.listen.rfind(':');
  if (absl::StartsWith(metrics.listen, "unix") || colon == std::string::npos || colon == 0 ||
      colon + 1 == metrics.listen.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics_listen must be host:port, not \"", metrics.listen, "\""));
  }
  if (IsLocalListenAddress(metrics.listen) || allow_insecure) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "refusing to serve metrics on ", metrics.listen,
      ": the endpoint has no TLS or tokens, and shows account ids and traffic. Listen on "
      "127.0.0.1 (and let Prometheus reach it through a proxy or tunnel), or pass "
      "--allow_insecure to accept the risk"));
}

// Cluster mode needs a real gateway (each replica's own simulator would be a different
// gateway) and a usable name and lease.
absl::Status CheckCluster(const BridgeConfig& config) {
  const ClusterConfig& cluster = config.cluster;
  if (!cluster.enabled()) return absl::OkStatus();
  if (config.upstream.url.empty()) {
    return absl::InvalidArgumentError(
        "--cluster needs --upstream: every replica connects to the same gateway, never to an "
        "embedded simulator of its own");
  }
  if (!absl::StartsWith(cluster.nats_url, "nats://") &&
      !absl::StartsWith(cluster.nats_url, "tls://")) {
    return absl::InvalidArgumentError("--nats_url must be nats://HOST:PORT or tls://HOST:PORT");
  }
  if (absl::Status name = cluster::ValidateClusterName(cluster.name); !name.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--cluster: ", name.message()));
  }
  if (cluster.lease_ttl < milliseconds(500) || cluster.lease_ttl > milliseconds(600000)) {
    return absl::InvalidArgumentError("--lease_ttl must be between 500ms and 10m");
  }
  return absl::OkStatus();
}

}  // namespace

bool PacingEnabled(const BridgeConfig& config) {
  switch (config.pacing.mode) {
    case pacing::PaceMode::kOn:
      return true;
    case pacing::PaceMode::kOff:
      return false;
    case pacing::PaceMode::kAuto:
      return !config.upstream.url.empty();
  }
  return false;
}

bool IsLocalListenAddress(const std::string& listen) {
  if (absl::StartsWith(listen, "unix:") || absl::StartsWith(listen, "unix-abstract:")) {
    return true;
  }
  std::string_view host = listen;
  if (!host.empty() && host.front() == '[') {
    host =
        host.substr(0, host.find(']') == std::string_view::npos ? host.size() : host.find(']') + 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  return !host.empty() && IsLoopbackHost(host);
}

absl::Status ValidateConfig(const BridgeConfig& config) {
  constexpr milliseconds kOneMs{1};
  const auto& up = config.upstream;
  const auto& sub = config.subscribe;
  const auto& lim = config.limits;
  for (absl::Status status : {
           config.grpc.listen.empty() ? absl::InvalidArgumentError("--listen must be host:port")
                                      : absl::OkStatus(),
           CheckDuration("call_timeout", config.grpc.default_call_timeout, kOneMs),
           CheckDuration("max_call_timeout", config.grpc.max_call_timeout,
                         config.grpc.default_call_timeout),
           CheckSize("max_calls_in_flight", config.calls.max_calls_in_flight, 1,
                     std::size_t{1} << 24),
           CheckSize("max_id_bytes", lim.max_id_bytes, 1, std::size_t{1} << 30),
           CheckSize("max_text_bytes", lim.max_text_bytes, 1, std::size_t{1} << 30),
           CheckSize("max_wx_ids", lim.max_wx_ids, 1, std::size_t{1} << 20),
           CheckSize("max_data_json_bytes", lim.max_data_json_bytes, 2, std::size_t{1} << 30),
           CheckSize("max_data_json_keys", lim.max_data_json_keys, 1, std::size_t{1} << 24),
           CheckSize("max_data_json_depth", lim.max_data_json_depth, 1, 1000),
           CheckSize("max_subscribe_accounts", sub.max_accounts, 1, std::size_t{1} << 20),
           CheckSize("max_subscribe_kinds", sub.max_kinds, 1, std::size_t{1} << 16),
           CheckSize("max_subscribers", sub.max_streams, 1, std::size_t{1} << 20),
           CheckDuration("keepalive_time", config.grpc.keepalive_time, kOneMs),
           CheckDuration("keepalive_timeout", config.grpc.keepalive_timeout, kOneMs),
           CheckSize("max_streams_per_connection", config.grpc.max_streams_per_connection, 1,
                     std::size_t{1} << 20),
           CheckSize("max_grpc_memory", config.grpc.max_grpc_memory, std::size_t{16} << 20,
                     std::size_t{1} << 40),
           CheckDuration("connect_timeout", up.connect_timeout, kOneMs),
           CheckDuration("ping_interval", up.ping_interval, kOneMs),
           CheckDuration("backoff_initial", up.backoff_initial, kOneMs),
           CheckDuration("backoff_max", up.backoff_max, up.backoff_initial),
           CheckDuration("write_timeout", up.write_timeout, kOneMs),
           CheckSize("max_frame_bytes", up.max_frame_bytes, 4096, std::size_t{1} << 30),
           CheckSize("max_queue_bytes", up.max_queue_bytes, up.max_frame_bytes,
                     std::size_t{1} << 34),
           CheckDuration("heartbeat", sub.default_heartbeat, sub.min_heartbeat),
           sub.default_heartbeat > sub.max_heartbeat
               ? absl::InvalidArgumentError(
                     absl::StrCat("--heartbeat must be at most ", sub.max_heartbeat.count(), " ms"))
               : absl::OkStatus(),
           CheckSize("event_retention", config.events.capacity, 1, kMaxEventRetention),
           CheckSize("max_event_bytes", config.events.max_event_bytes, 4096, std::size_t{1} << 30),
           CheckSize("event_retention_bytes", config.events.retention_bytes,
                     config.events.max_event_bytes, std::size_t{1} << 40),
           CheckDuration("shutdown_grace", config.shutdown_grace, milliseconds(0)),
           config.storage.retention_age.count() < 0
               ? absl::InvalidArgumentError("--event_retention_age must not be negative")
               : absl::OkStatus(),
           CheckDuration("sim_scan_delay", config.simulator.scan_delay, milliseconds(0)),
           CheckDuration("sim_qr_timeout", config.simulator.qr_timeout, milliseconds(0)),
           CheckSize("sim_world_size",
                     static_cast<std::size_t>(
                         config.simulator.world_size < 0 ? SIZE_MAX : config.simulator.world_size),
                     0, 10000),
       }) {
    if (!status.ok()) return status;
  }
  if (absl::Status status = CheckPacing(config.pacing); !status.ok()) return status;
  if (absl::Status status = CheckGrpcSecurity(config.grpc); !status.ok()) return status;
  if (absl::Status status = CheckHttpListen(config); !status.ok()) return status;
  if (absl::Status status = CheckCluster(config); !status.ok()) return status;
  if (absl::Status status = CheckMetricsListen(config.metrics, config.grpc.allow_insecure);
      !status.ok()) {
    return status;
  }
  return CheckTlsCaFile(up);
}

}  // namespace wxbridge::app
