// wxbridge: flags, wiring, signals; nothing else.
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/app/auth_key_source.h"
#include "server/app/bridge_config.h"
#include "server/app/bridge_server.h"
#include "server/common/fd_limit.h"
#include "server/common/log.h"
#include "server/pacing/pace_rate.h"
#include "server/pacing/pacing_config.h"

namespace {

using wxbridge::app::BridgeConfig;

// Flag defaults are read from a default BridgeConfig: each is written once, there.
const BridgeConfig& Defaults() {
  static const BridgeConfig* defaults = new BridgeConfig();
  return *defaults;
}

absl::Duration Dur(std::chrono::milliseconds ms) { return absl::Milliseconds(ms.count()); }

// A size or count default as an int64_t flag value.
int64_t Int64(std::size_t value) { return static_cast<int64_t>(value); }

std::string PaceRateText(const wxbridge::pacing::PaceRate& rate) {
  return wxbridge::pacing::FormatPaceRate(rate);
}

}  // namespace

ABSL_FLAG(std::string, listen, Defaults().grpc.listen,
          "gRPC listen address host:port (port 0 picks a free one) or unix:/path; a "
          "non-loopback address needs TLS and --tokens_file, or --allow_insecure");
ABSL_FLAG(std::string, metrics_listen, Defaults().metrics.listen,
          "Prometheus endpoint host:port (GET /metrics; port 0 picks a free one); empty: no "
          "metrics. It has no TLS or tokens: a non-loopback address needs --allow_insecure");
ABSL_FLAG(std::string, http_listen, Defaults().http.listen,
          "HTTP listen address IP:PORT for the JSON API (POST /v1/<Method>), the event stream "
          "(GET /v1/events, Server-Sent Events) and the web console (/); port 0 picks a free "
          "one; empty: none. Same TLS, tokens and loopback rules as --listen");
ABSL_FLAG(int64_t, http_max_body_bytes, Int64(Defaults().http.max_body_bytes),
          "Largest HTTP request body; a larger one is refused 413");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain: serve gRPC over TLS (with --tls_key); re-read on SIGHUP");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert; re-read on SIGHUP");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle: clients present certificates it signed (mTLS); re-read on SIGHUP");
ABSL_FLAG(std::string, tls_client_auth, "require",
          "with --tls_client_ca: require (no valid client certificate, no connection) or "
          "optional (verified when presented)");
ABSL_FLAG(std::string, tokens_file, "",
          "JSON file of bearer tokens (SHA-256 hashes) and their accounts and methods; every "
          "BridgeService call then needs \"authorization: Bearer <token>\". Re-read on SIGHUP");
ABSL_FLAG(bool, allow_insecure, Defaults().grpc.allow_insecure,
          "serve a non-loopback --listen address without TLS and tokens (anyone who reaches "
          "it can read every event and act as every account)");
ABSL_FLAG(std::string, upstream, "",
          "gateway WebSocket URL, ws://host:port/path or wss://…; empty runs the embedded "
          "gateway simulator");
ABSL_FLAG(std::string, auth_key, "",
          "gateway authKey; prefer --auth_key_file (flags are visible in ps, the "
          "WXBRIDGE_AUTH_KEY environment variable in /proc). Give only one of the three. "
          "Never logged.");
ABSL_FLAG(std::string, auth_key_file, "",
          "file holding the gateway authKey (one trailing newline ignored), read once at "
          "start; refused unless only its owner may access it (chmod 600)");
ABSL_FLAG(bool, tls_verify, Defaults().upstream.tls_verify_peer,
          "verify the wss:// gateway's certificate");
ABSL_FLAG(std::string, tls_ca_file, Defaults().upstream.tls_ca_file,
          "PEM file of the CA certificates a wss:// gateway's certificate is verified "
          "against, instead of the system store (for a gateway behind a private CA)");
ABSL_FLAG(absl::Duration, call_timeout, Dur(Defaults().grpc.default_call_timeout),
          "deadline for calls whose client sets none");
ABSL_FLAG(absl::Duration, max_call_timeout, Dur(Defaults().grpc.max_call_timeout),
          "longest deadline a call may have; a client asking for more gets this "
          "(at least --call_timeout)");
ABSL_FLAG(int64_t, max_calls_in_flight, Int64(Defaults().calls.max_calls_in_flight),
          "calls started and not yet answered; calls beyond it fail RESOURCE_EXHAUSTED");
ABSL_FLAG(int64_t, max_id_bytes, Int64(Defaults().limits.max_id_bytes),
          "largest identifier in a request (account, user names, ids, tickets), in bytes");
ABSL_FLAG(int64_t, max_text_bytes, Int64(Defaults().limits.max_text_bytes),
          "largest free text in a request (content, title, description, url), in bytes");
ABSL_FLAG(int64_t, max_wx_ids, Int64(Defaults().limits.max_wx_ids),
          "most ids in one GetContacts (or a raw 106's data.wxIds)");
ABSL_FLAG(int64_t, max_data_json_bytes, Int64(Defaults().limits.max_data_json_bytes),
          "largest SendRaw.data_json, in bytes");
ABSL_FLAG(int64_t, max_data_json_keys, Int64(Defaults().limits.max_data_json_keys),
          "most object keys (at every level) in a SendRaw.data_json");
ABSL_FLAG(int64_t, max_data_json_depth, Int64(Defaults().limits.max_data_json_depth),
          "deepest nesting of a SendRaw.data_json");
ABSL_FLAG(int64_t, max_subscribe_accounts, Int64(Defaults().subscribe.max_accounts),
          "most accounts in one Subscribe filter");
ABSL_FLAG(int64_t, max_subscribers, Int64(Defaults().subscribe.max_streams),
          "Subscribe streams open at once; one more is refused RESOURCE_EXHAUSTED");
ABSL_FLAG(int64_t, max_subscribe_kinds, Int64(Defaults().subscribe.max_kinds),
          "most kinds in one Subscribe filter");
ABSL_FLAG(absl::Duration, heartbeat, Dur(Defaults().subscribe.default_heartbeat),
          "Subscribe heartbeat interval (a stream may ask for its own)");
ABSL_FLAG(int64_t, max_frame_bytes, Int64(Defaults().upstream.max_frame_bytes),
          "largest gateway frame and gRPC message, in bytes (a 10 MB image needs ~14 MB)");
ABSL_FLAG(int64_t, max_queue_bytes, Int64(Defaults().upstream.max_queue_bytes),
          "request frames waiting for the gateway, in bytes; calls beyond it fail "
          "RESOURCE_EXHAUSTED (at least --max_frame_bytes)");
ABSL_FLAG(absl::Duration, write_timeout, Dur(Defaults().upstream.write_timeout),
          "a write to the gateway not done after this long drops the connection (the "
          "gateway stopped reading)");
ABSL_FLAG(std::string, data_dir, Defaults().storage.data_dir,
          "directory of the durable event log (SQLite; created when missing, locked while "
          "a bridge uses it): events and seqs survive restarts. Empty: memory only");
ABSL_FLAG(std::string, durability, wxbridge::events::DurabilityName(Defaults().storage.durability),
          "sync: an event reaches subscribers only after it is fsync'ed (nothing a power "
          "loss could take back); os: no fsync (survives a crash of wxbridge, not of the "
          "machine)");
ABSL_FLAG(absl::Duration, event_retention_age,
          absl::Seconds(Defaults().storage.retention_age.count()),
          "events older than this are dropped from the durable log (a Gap on resume); 0: "
          "no age bound");
ABSL_FLAG(int64_t, event_retention, Int64(Defaults().events.capacity),
          "events kept for Subscribe resumption (after_seq)");
ABSL_FLAG(int64_t, event_retention_bytes, Int64(Defaults().events.retention_bytes),
          "bytes of events kept for resumption; the oldest are dropped beyond it (a Gap)");
ABSL_FLAG(int64_t, max_event_bytes, Int64(Defaults().events.max_event_bytes),
          "an event larger than this is sent with its large fields cut and marked "
          "truncated (keep it under the clients' receive limit, 4 MiB by default)");
ABSL_FLAG(absl::Duration, connect_timeout, Dur(Defaults().upstream.connect_timeout),
          "upstream connect+handshake timeout");
ABSL_FLAG(absl::Duration, ping_interval, Dur(Defaults().upstream.ping_interval),
          "upstream WebSocket ping after this much silence; no answer within it again "
          "means the connection is dead");
ABSL_FLAG(absl::Duration, backoff_initial, Dur(Defaults().upstream.backoff_initial),
          "first reconnect delay (exponential, with jitter)");
ABSL_FLAG(absl::Duration, backoff_max, Dur(Defaults().upstream.backoff_max),
          "longest reconnect delay");
ABSL_FLAG(absl::Duration, keepalive_time, Dur(Defaults().grpc.keepalive_time),
          "gRPC server keepalive ping interval");
ABSL_FLAG(absl::Duration, keepalive_timeout, Dur(Defaults().grpc.keepalive_timeout),
          "gRPC keepalive ping timeout; a client silent this long is dropped");
ABSL_FLAG(int64_t, max_streams_per_connection, Int64(Defaults().grpc.max_streams_per_connection),
          "calls and Subscribe streams one client connection may have open at once; more "
          "wait in the client");
ABSL_FLAG(int64_t, max_grpc_memory, Int64(Defaults().grpc.max_grpc_memory),
          "memory gRPC may use for connection buffers, in bytes (its ResourceQuota)");
ABSL_FLAG(absl::Duration, shutdown_grace, Dur(Defaults().shutdown_grace),
          "on SIGINT/SIGTERM, how long in-flight calls may finish");
ABSL_FLAG(std::string, pace, wxbridge::pacing::PaceModeName(Defaults().pacing.mode),
          "send pacing and the loop guard (docs/pacing.md): auto (on with --upstream, off "
          "with the embedded simulator), on, or off (every --pace_* and --loop_guard "
          "setting is then ignored)");
ABSL_FLAG(std::string, pace_messages, PaceRateText(Defaults().pacing.messages),
          "per account: messages (SendText, SendLink, SendImage) sent at most at this rate, "
          "N/s, N/min, N/h or N/day, or off");
ABSL_FLAG(int64_t, pace_messages_burst, Defaults().pacing.messages_burst,
          "per account: messages that may leave at once after a quiet spell");
ABSL_FLAG(std::string, pace_social, PaceRateText(Defaults().pacing.social),
          "per account: social actions (KickGroupMember, AcceptFriend, InviteToGroup, "
          "AddFriend) at most at this rate, or off");
ABSL_FLAG(int64_t, pace_social_burst, Defaults().pacing.social_burst,
          "per account: social actions that may leave at once after a quiet spell");
ABSL_FLAG(std::string, pace_per_chat, PaceRateText(Defaults().pacing.per_chat),
          "per chat (account and recipient user or group): messages at most at this rate, "
          "or off");
ABSL_FLAG(int64_t, pace_per_chat_burst, Defaults().pacing.per_chat_burst,
          "per chat: messages that may leave at once after a quiet spell");
ABSL_FLAG(absl::Duration, pace_jitter, Dur(Defaults().pacing.jitter),
          "a random extra delay in [0, this) before each paced send; 0 turns it off");
ABSL_FLAG(int64_t, loop_guard, Defaults().pacing.loop_guard,
          "more than this many messages to one chat within --loop_guard_window are refused "
          "(RESOURCE_EXHAUSTED and one LoopStopped event per episode); 0 turns it off");
ABSL_FLAG(absl::Duration, loop_guard_window, Dur(Defaults().pacing.loop_guard_window),
          "the window --loop_guard counts sends in");
ABSL_FLAG(std::string, cluster, Defaults().cluster.name,
          "cluster mode (docs/cluster.md): replicas with the same name share one event log on "
          "NATS JetStream and one of them holds the upstream; empty: a single bridge");
ABSL_FLAG(std::string, nats_url, Defaults().cluster.nats_url,
          "cluster mode: the NATS server (nats://HOST:PORT, or tls://HOST:PORT); a URL with a "
          "user and password is better given as WXBRIDGE_NATS_URL (flags show in ps)");
ABSL_FLAG(std::string, nats_creds, Defaults().cluster.nats_creds_file,
          "cluster mode: a NATS .creds file (user JWT and NKey seed), or empty");
ABSL_FLAG(std::string, nats_tls_ca, Defaults().cluster.nats_tls_ca_file,
          "cluster mode: PEM CA bundle of the NATS server's certificate (turns TLS on); "
          "empty: tls:// URLs use the system store");
ABSL_FLAG(absl::Duration, lease_ttl, Dur(Defaults().cluster.lease_ttl),
          "cluster mode: the upstream lease's lifetime without renewal (a failover takes about "
          "this long)");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning, error or off");
ABSL_FLAG(std::string, log_format, "text",
          "text (one readable line per entry) or json (one JSON object per line: time, "
          "level, component, message and fields such as account, method, status)");

ABSL_FLAG(std::string, sim_ack, "echo",
          "embedded simulator: replies echo msgId (echo) or not (none)");
ABSL_FLAG(absl::Duration, sim_scan_delay, absl::Seconds(2),
          "embedded simulator: time from QR code to the simulated scan");
ABSL_FLAG(absl::Duration, sim_qr_timeout, Dur(Defaults().simulator.qr_timeout),
          "embedded simulator: an unscanned QR code times out (status 5) after this long");
ABSL_FLAG(int, sim_world_size, Defaults().simulator.world_size,
          "embedded simulator: simulated friends per account");

namespace {

std::chrono::milliseconds Ms(absl::Duration d) {
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(d));
}

// absl's own --help lists only flags of a file named after the binary and exits 1; an
// operator asking for help gets every wxbridge flag and success.
bool HelpRequested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-help" || arg == "-h" || arg == "--helpfull") return true;
  }
  return false;
}

void PrintHelp() {
  std::map<std::string, const absl::CommandLineFlag*> ours;  // sorted by name
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (absl::EndsWith(__FILE__, flag->Filename())) ours.emplace(std::string(name), flag);
  }
  std::cout << absl::ProgramUsageMessage() << "\n\nFlags:\n";
  for (const auto& [name, flag] : ours) {
    std::cout << "  --" << name << " (" << flag->Help() << "); default: " << flag->DefaultValue()
              << "\n";
  }
}

// A negative byte count would wrap to a huge size_t; -1 keeps it below every minimum.
std::size_t Size(int64_t value) { return value < 0 ? 0 : static_cast<std::size_t>(value); }

// A count that must fit uint32_t; out of range becomes 0 or the largest, which the
// validation refuses with the flag's range.
uint32_t Count(int64_t value) {
  return static_cast<uint32_t>(std::clamp<int64_t>(value, 0, UINT32_MAX));
}

absl::Status RateFromFlag(const char* flag, const std::string& text,
                          wxbridge::pacing::PaceRate* rate) {
  absl::StatusOr<wxbridge::pacing::PaceRate> parsed = wxbridge::pacing::ParsePaceRate(text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", parsed.status().message()));
  }
  *rate = *parsed;
  return absl::OkStatus();
}

absl::Status PacingFromFlags(wxbridge::pacing::PacingConfig* pacing) {
  if (!wxbridge::pacing::ParsePaceMode(absl::GetFlag(FLAGS_pace), &pacing->mode)) {
    return absl::InvalidArgumentError("--pace must be auto, on or off");
  }
  for (absl::Status status : {
           RateFromFlag("pace_messages", absl::GetFlag(FLAGS_pace_messages), &pacing->messages),
           RateFromFlag("pace_social", absl::GetFlag(FLAGS_pace_social), &pacing->social),
           RateFromFlag("pace_per_chat", absl::GetFlag(FLAGS_pace_per_chat), &pacing->per_chat),
       }) {
    if (!status.ok()) return status;
  }
  pacing->messages_burst = Count(absl::GetFlag(FLAGS_pace_messages_burst));
  pacing->social_burst = Count(absl::GetFlag(FLAGS_pace_social_burst));
  pacing->per_chat_burst = Count(absl::GetFlag(FLAGS_pace_per_chat_burst));
  pacing->jitter = Ms(absl::GetFlag(FLAGS_pace_jitter));
  pacing->loop_guard = Count(absl::GetFlag(FLAGS_loop_guard));
  pacing->loop_guard_window = Ms(absl::GetFlag(FLAGS_loop_guard_window));
  return absl::OkStatus();
}

absl::StatusOr<wxbridge::app::ClusterConfig> ClusterFromFlags() {
  wxbridge::app::ClusterConfig cluster;
  cluster.name = absl::GetFlag(FLAGS_cluster);
  cluster.nats_url = absl::GetFlag(FLAGS_nats_url);
  // Taken from the environment whatever follows, so that it never outlives the start.
  if (std::optional<std::string> url =
          wxbridge::app::TakeSecretFromEnvironment(wxbridge::app::kNatsUrlVariable)) {
    if (cluster.nats_url != Defaults().cluster.nats_url) {
      return absl::InvalidArgumentError(
          "both --nats_url and WXBRIDGE_NATS_URL are set: give only one");
    }
    cluster.nats_url = *std::move(url);
  }
  cluster.nats_creds_file = absl::GetFlag(FLAGS_nats_creds);
  cluster.nats_tls_ca_file = absl::GetFlag(FLAGS_nats_tls_ca);
  cluster.lease_ttl = Ms(absl::GetFlag(FLAGS_lease_ttl));
  return cluster;
}

// The whole configuration from flags and the environment, validated.
absl::StatusOr<BridgeConfig> ConfigFromFlags() {
  BridgeConfig config;
  config.grpc.listen = absl::GetFlag(FLAGS_listen);
  config.grpc.default_call_timeout = Ms(absl::GetFlag(FLAGS_call_timeout));
  config.grpc.max_call_timeout = Ms(absl::GetFlag(FLAGS_max_call_timeout));
  config.grpc.keepalive_time = Ms(absl::GetFlag(FLAGS_keepalive_time));
  config.grpc.keepalive_timeout = Ms(absl::GetFlag(FLAGS_keepalive_timeout));
  config.grpc.max_streams_per_connection = Size(absl::GetFlag(FLAGS_max_streams_per_connection));
  config.grpc.max_grpc_memory = Size(absl::GetFlag(FLAGS_max_grpc_memory));
  config.grpc.tls.cert = absl::GetFlag(FLAGS_tls_cert);
  config.grpc.tls.key = absl::GetFlag(FLAGS_tls_key);
  config.grpc.tls.client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  if (!wxbridge::auth::ParseClientCertificates(absl::GetFlag(FLAGS_tls_client_auth),
                                               &config.grpc.tls.client_certificates) ||
      config.grpc.tls.client_certificates == wxbridge::auth::ClientCertificates::kNone) {
    return absl::InvalidArgumentError("--tls_client_auth must be require or optional");
  }
  config.grpc.tokens_file = absl::GetFlag(FLAGS_tokens_file);
  config.grpc.allow_insecure = absl::GetFlag(FLAGS_allow_insecure);
  config.metrics.listen = absl::GetFlag(FLAGS_metrics_listen);
  config.http.listen = absl::GetFlag(FLAGS_http_listen);
  config.http.max_body_bytes = Size(absl::GetFlag(FLAGS_http_max_body_bytes));

  config.upstream.url = absl::GetFlag(FLAGS_upstream);
  config.upstream.tls_verify_peer = absl::GetFlag(FLAGS_tls_verify);
  config.upstream.tls_ca_file = absl::GetFlag(FLAGS_tls_ca_file);
  config.upstream.max_frame_bytes = Size(absl::GetFlag(FLAGS_max_frame_bytes));
  config.upstream.max_queue_bytes = Size(absl::GetFlag(FLAGS_max_queue_bytes));
  config.upstream.write_timeout = Ms(absl::GetFlag(FLAGS_write_timeout));
  config.upstream.connect_timeout = Ms(absl::GetFlag(FLAGS_connect_timeout));
  config.upstream.ping_interval = Ms(absl::GetFlag(FLAGS_ping_interval));
  config.upstream.backoff_initial = Ms(absl::GetFlag(FLAGS_backoff_initial));
  config.upstream.backoff_max = Ms(absl::GetFlag(FLAGS_backoff_max));

  // Taken from the environment first, whatever follows, so it never outlives the start.
  std::optional<std::string> env_key = wxbridge::app::TakeSecretFromEnvironment();
  absl::StatusOr<std::string> auth_key = wxbridge::app::ResolveAuthKey(
      absl::GetFlag(FLAGS_auth_key), absl::GetFlag(FLAGS_auth_key_file), env_key);
  if (!auth_key.ok()) return auth_key.status();
  config.calls.auth_key = *std::move(auth_key);
  config.calls.max_calls_in_flight = Size(absl::GetFlag(FLAGS_max_calls_in_flight));
  config.limits.max_id_bytes = Size(absl::GetFlag(FLAGS_max_id_bytes));
  config.limits.max_text_bytes = Size(absl::GetFlag(FLAGS_max_text_bytes));
  config.limits.max_wx_ids = Size(absl::GetFlag(FLAGS_max_wx_ids));
  config.limits.max_data_json_bytes = Size(absl::GetFlag(FLAGS_max_data_json_bytes));
  config.limits.max_data_json_keys = Size(absl::GetFlag(FLAGS_max_data_json_keys));
  config.limits.max_data_json_depth = Size(absl::GetFlag(FLAGS_max_data_json_depth));
  config.subscribe.default_heartbeat = Ms(absl::GetFlag(FLAGS_heartbeat));
  config.subscribe.max_accounts = Size(absl::GetFlag(FLAGS_max_subscribe_accounts));
  config.subscribe.max_kinds = Size(absl::GetFlag(FLAGS_max_subscribe_kinds));
  config.subscribe.max_streams = Size(absl::GetFlag(FLAGS_max_subscribers));
  config.events.capacity = Size(absl::GetFlag(FLAGS_event_retention));
  config.events.retention_bytes = Size(absl::GetFlag(FLAGS_event_retention_bytes));
  config.events.max_event_bytes = Size(absl::GetFlag(FLAGS_max_event_bytes));
  config.storage.data_dir = absl::GetFlag(FLAGS_data_dir);
  absl::StatusOr<wxbridge::app::ClusterConfig> cluster = ClusterFromFlags();
  if (!cluster.ok()) return cluster.status();
  config.cluster = *std::move(cluster);
  if (!wxbridge::events::ParseDurability(absl::GetFlag(FLAGS_durability),
                                         &config.storage.durability)) {
    return absl::InvalidArgumentError("--durability must be sync or os");
  }
  config.storage.retention_age =
      std::chrono::seconds(absl::ToInt64Seconds(absl::GetFlag(FLAGS_event_retention_age)));
  config.shutdown_grace = Ms(absl::GetFlag(FLAGS_shutdown_grace));

  const std::string sim_ack = absl::GetFlag(FLAGS_sim_ack);
  if (sim_ack != "echo" && sim_ack != "none") {
    return absl::InvalidArgumentError("--sim_ack must be echo or none");
  }
  config.simulator.ack_mode =
      sim_ack == "echo" ? wxbridge::sim::AckMode::kEcho : wxbridge::sim::AckMode::kNone;
  config.simulator.scan_delay = Ms(absl::GetFlag(FLAGS_sim_scan_delay));
  config.simulator.world_size = absl::GetFlag(FLAGS_sim_world_size);
  config.simulator.qr_timeout = Ms(absl::GetFlag(FLAGS_sim_qr_timeout));
  if (absl::Status status = PacingFromFlags(&config.pacing); !status.ok()) return status;
  if (absl::Status status = wxbridge::app::ValidateConfig(config); !status.ok()) {
    return status;
  }
  return config;
}

// EX_TEMPFAIL: a replica that lost the upstream lease ends, and is started again.
constexpr int kExitLeaseLost = 75;

void LogStopping(int signal_number, bool lease_lost) {
  if (lease_lost) {
    wxbridge::Log(wxbridge::LogLevel::kWarning, "wxbridge",
                  "this replica lost the upstream lease and closed the upstream; exiting with "
                  "status ",
                  kExitLeaseLost, " so that its supervisor starts it again as a follower");
  } else {
    wxbridge::Log(wxbridge::LogLevel::kInfo, "wxbridge", "signal ", signal_number,
                  ": shutting down (a second signal exits at once)");
  }
}

int Fail(const std::string& message) {
  std::cerr << "wxbridge: " << message << "\n";
  return 2;
}

// The one stdout line: what listens where (scripts and tests read the ports from it).
void PrintBanner(const wxbridge::app::BridgeServer& server, const std::string& listen,
                 bool embedded) {
  const std::string metrics =
      server.metrics_port() > 0 ? absl::StrCat("; metrics on port ", server.metrics_port()) : "";
  const std::string http =
      server.http_port() > 0 ? absl::StrCat("; http on port ", server.http_port()) : "";
  std::printf("wxbridge %s listening on %s (port %d); upstream %s%s%s\n",
              wxbridge::app::kBridgeVersion, listen.c_str(), server.port(),
              embedded ? "embedded simulator" : "gateway", metrics.c_str(), http.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "wxbridge: a typed gRPC API (wxbridge.v1.BridgeService) in front of the WeChat-bot "
      "gateway WebSocket.\nUsage: wxbridge [--upstream=ws://host:port/ws] [--listen=…]\n"
      "Without --upstream it runs its embedded gateway simulator.\n"
      "Environment: WXBRIDGE_AUTH_KEY (the gateway authKey, instead of --auth_key_file or "
      "--auth_key; removed from the environment once read).\n"
      "Signals: SIGHUP re-reads --tokens_file and the TLS certificates; SIGINT/SIGTERM stop.");
  if (HelpRequested(argc, argv)) {
    PrintHelp();
    return 0;
  }
  // abseil's own --version prints this and exits 0.
  absl::FlagsUsageConfig usage;
  usage.version_string = [] {
    return absl::StrCat("wxbridge ", wxbridge::app::kBridgeVersion, " (commit ",
                        wxbridge::app::kBridgeCommit, ")\n");
  };
  absl::SetFlagsUsageConfig(usage);
  absl::ParseCommandLine(argc, argv);
  // Debian's abseil is built with its debug checks on: every absl::Mutex operation (gRPC
  // takes many per call) would also update a global lock-order graph.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  wxbridge::LogLevel level;
  if (!wxbridge::ParseLogLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    return Fail("--log_level must be debug, info, warning, error or off");
  }
  wxbridge::SetLogLevel(level);
  wxbridge::LogFormat format;
  if (!wxbridge::ParseLogFormat(absl::GetFlag(FLAGS_log_format), &format)) {
    return Fail("--log_format must be text or json");
  }
  wxbridge::SetLogFormat(format);
  absl::StatusOr<BridgeConfig> config = ConfigFromFlags();
  if (!config.ok()) return Fail(std::string(config.status().message()));
  const bool embedded = config->upstream.url.empty();

  // Block the stop and reload signals in every thread; main waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigset_t waited_signals = stop_signals;
  sigaddset(&waited_signals, SIGHUP);
  // Raised by the server itself when this replica lost the upstream lease.
  sigaddset(&waited_signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &waited_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  const int64_t open_files = wxbridge::RaiseOpenFileLimit();
  wxbridge::Log(wxbridge::LogLevel::kDebug, "wxbridge", "open file limit ", open_files);

  const std::string listen = config->grpc.listen;
  wxbridge::app::BridgeServer server(*std::move(config));
  server.SetLeaseLostHandler([] { kill(getpid(), SIGUSR1); });
  if (absl::Status status = server.Start(); !status.ok())
    return Fail(std::string(status.message()));
  PrintBanner(server, listen, embedded);

  int signal_number = 0;
  while (sigwait(&waited_signals, &signal_number) == 0 && signal_number == SIGHUP) {
    wxbridge::Log(wxbridge::LogLevel::kInfo, "wxbridge",
                  "SIGHUP: reloading tokens and certificates");
    server.Reload();
  }
  const bool lease_lost = signal_number == SIGUSR1;
  LogStopping(signal_number, lease_lost);
  // An operator who signals again does not want to wait for the shutdown grace.
  std::thread([stop_signals] {
    int again = 0;
    sigwait(&stop_signals, &again);
    wxbridge::Log(wxbridge::LogLevel::kWarning, "wxbridge", "signal ", again,
                  " during shutdown: exiting now");
    std::_Exit(128 + again);
  }).detach();
  server.Shutdown();
  return lease_lost ? kExitLeaseLost : 0;
}
