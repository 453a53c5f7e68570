// wxbridge: flags, wiring, signals; nothing else.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/common/fd_limit.h"
#include "server/common/log.h"
#include "server/rpc/bridge_config.h"
#include "server/rpc/bridge_server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "gRPC listen address host:port (port 0 picks a free one)");
ABSL_FLAG(std::string, upstream, "",
          "gateway WebSocket URL, ws://host:port/path or wss://…; empty runs the embedded "
          "gateway simulator");
ABSL_FLAG(std::string, auth_key, "",
          "gateway authKey; prefer the WXBRIDGE_AUTH_KEY environment variable (flags are "
          "visible in ps). Never logged.");
ABSL_FLAG(bool, tls_verify, true, "verify the wss:// gateway's certificate");
ABSL_FLAG(absl::Duration, call_timeout, absl::Seconds(30),
          "deadline for calls whose client sets none");
ABSL_FLAG(absl::Duration, heartbeat, absl::Seconds(15),
          "Subscribe heartbeat interval (a stream may ask for its own)");
ABSL_FLAG(int64_t, max_frame_bytes, 32 << 20,
          "largest gateway frame and gRPC message, in bytes (a 10 MB image needs ~14 MB)");
ABSL_FLAG(int64_t, event_retention, 65536,
          "events kept for Subscribe resumption (after_seq)");
ABSL_FLAG(absl::Duration, connect_timeout, absl::Seconds(5), "upstream connect+handshake timeout");
ABSL_FLAG(absl::Duration, ping_interval, absl::Seconds(10),
          "upstream WebSocket ping after this much silence; no answer within it again "
          "means the connection is dead");
ABSL_FLAG(absl::Duration, backoff_initial, absl::Milliseconds(200),
          "first reconnect delay (exponential, with jitter)");
ABSL_FLAG(absl::Duration, backoff_max, absl::Seconds(30), "longest reconnect delay");
ABSL_FLAG(absl::Duration, keepalive_time, absl::Seconds(30),
          "gRPC server keepalive ping interval");
ABSL_FLAG(absl::Duration, keepalive_timeout, absl::Seconds(10),
          "gRPC keepalive ping timeout; a client silent this long is dropped");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(3),
          "on SIGINT/SIGTERM, how long in-flight calls may finish");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning, error or off");
ABSL_FLAG(std::string, sim_ack, "echo",
          "embedded simulator: replies echo msgId (echo) or not (none)");
ABSL_FLAG(absl::Duration, sim_scan_delay, absl::Seconds(2),
          "embedded simulator: time from QR code to the simulated scan");
ABSL_FLAG(int, sim_world_size, 5, "embedded simulator: simulated friends per account");

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

int Fail(const std::string& message) {
  std::cerr << "wxbridge: " << message << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "wxbridge: a typed gRPC API (wxbridge.v1.BridgeService) in front of the WeChat-bot "
      "gateway WebSocket.\nUsage: wxbridge [--upstream=ws://host:port/ws] [--listen=…]\n"
      "Without --upstream it runs its embedded gateway simulator.\n"
      "Environment: WXBRIDGE_AUTH_KEY (the gateway authKey).");
  if (HelpRequested(argc, argv)) {
    PrintHelp();
    return 0;
  }
  absl::ParseCommandLine(argc, argv);
  // Debian's abseil is built with its debug checks on: every absl::Mutex operation (gRPC
  // takes many per call) would also update a global lock-order graph.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  wxbridge::LogLevel level;
  if (!wxbridge::ParseLogLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    return Fail("--log_level must be debug, info, warning, error or off");
  }
  wxbridge::SetLogLevel(level);

  wxbridge::rpc::BridgeConfig config;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.upstream_url = absl::GetFlag(FLAGS_upstream);
  config.auth_key = absl::GetFlag(FLAGS_auth_key);
  if (config.auth_key.empty()) {
    if (const char* env = std::getenv("WXBRIDGE_AUTH_KEY")) config.auth_key = env;
  }
  config.tls_verify_peer = absl::GetFlag(FLAGS_tls_verify);
  config.default_call_timeout = Ms(absl::GetFlag(FLAGS_call_timeout));
  config.heartbeat_interval = Ms(absl::GetFlag(FLAGS_heartbeat));
  const int64_t max_frame = absl::GetFlag(FLAGS_max_frame_bytes);
  if (max_frame < 4096 || max_frame > (1LL << 30)) {
    return Fail("--max_frame_bytes must be between 4096 and 1073741824");
  }
  config.max_frame_bytes = static_cast<std::size_t>(max_frame);
  const int64_t retention = absl::GetFlag(FLAGS_event_retention);
  if (retention < 1) return Fail("--event_retention must be at least 1");
  config.event_retention = static_cast<std::size_t>(retention);
  config.connect_timeout = Ms(absl::GetFlag(FLAGS_connect_timeout));
  config.ping_interval = Ms(absl::GetFlag(FLAGS_ping_interval));
  config.backoff_initial = Ms(absl::GetFlag(FLAGS_backoff_initial));
  config.backoff_max = Ms(absl::GetFlag(FLAGS_backoff_max));
  config.keepalive_time = Ms(absl::GetFlag(FLAGS_keepalive_time));
  config.keepalive_timeout = Ms(absl::GetFlag(FLAGS_keepalive_timeout));
  config.shutdown_grace = Ms(absl::GetFlag(FLAGS_shutdown_grace));
  const std::string sim_ack = absl::GetFlag(FLAGS_sim_ack);
  if (sim_ack != "echo" && sim_ack != "none") return Fail("--sim_ack must be echo or none");
  config.simulator.ack_mode =
      sim_ack == "echo" ? wxbridge::sim::AckMode::kEcho : wxbridge::sim::AckMode::kNone;
  config.simulator.scan_delay = Ms(absl::GetFlag(FLAGS_sim_scan_delay));
  config.simulator.world_size = absl::GetFlag(FLAGS_sim_world_size);
  config.simulator.max_frame_bytes = config.max_frame_bytes;

  // Block the stop signals in every thread; main waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  const int64_t open_files = wxbridge::RaiseOpenFileLimit();
  wxbridge::Log(wxbridge::LogLevel::kDebug, "wxbridge", "open file limit ", open_files);

  wxbridge::rpc::BridgeServer server(config);
  if (absl::Status status = server.Start(); !status.ok()) {
    return Fail(std::string(status.message()));
  }
  std::printf("wxbridge %s listening on %s (port %d); upstream %s\n",
              wxbridge::rpc::kBridgeVersion, config.listen.c_str(), server.port(),
              config.upstream_url.empty() ? "embedded simulator" : "gateway");
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  wxbridge::Log(wxbridge::LogLevel::kInfo, "wxbridge", "signal ", signal_number,
                ": shutting down");
  server.Shutdown();
  return 0;
}
