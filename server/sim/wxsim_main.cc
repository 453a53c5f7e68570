// wxsim: the gateway simulator as a standalone server, for running wxbridge or
// any other client against it by hand. Flags only; the simulator is
// server/sim/.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "server/common/limits.h"
#include "server/common/log.h"
#include "server/sim/simulator.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:11001",
          "host:port to listen on; port 0 picks a free one (printed at start)");
ABSL_FLAG(std::string, auth_key, "",
          "the only authKey accepted; prefer the WXSIM_AUTH_KEY environment variable "
          "(flags are visible in ps). Default when neither is set: wxsim-key. Never "
          "printed or logged.");
ABSL_FLAG(std::string, ack, "echo",
          "echo: replies echo the request's msgId and cmdId; none: replies "
          "carry MsgId 0 "
          "and no cmdId, and commands without a natural reply get no ack");
ABSL_FLAG(int, scan_delay_ms, 300, "login walk: from the QR code (status 1) to the scan (3)");
ABSL_FLAG(int, step_delay_ms, 100, "login walk: between statuses 3 -> 4 -> 7");
ABSL_FLAG(int, qr_timeout_ms, 120000,
          "login walk: a QR code not scanned by then times out (status 5); a scan_delay_ms "
          "at least this long means no scan");
ABSL_FLAG(int, world_size, 5, "simulated friends per account, besides the fixed contacts");
ABSL_FLAG(int64_t, max_frame_bytes, static_cast<int64_t>(wxbridge::kDefaultMaxFrameBytes),
          "largest inbound frame; a bigger one closes the connection");
ABSL_FLAG(std::string, log_level, "info",
          "debug (one line per frame), info, warning, "
          "error or off");

namespace {

int Fail(const std::string &message) {
  std::cerr << "wxsim: " << message << "\n";
  return 2;
}

// "host:port" or "[v6]:port".
bool ParseListen(const std::string &listen, std::string *host, uint16_t *port) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = listen.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  uint32_t value;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &value) || value > 65535) return false;
  *port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  absl::SetProgramUsageMessage(
      "wxsim: a simulated WeChat-bot gateway (WebSocket, the protocol described in "
      "docs/protocol.md) with a small scripted world.\n"
      "Usage: wxsim [--listen=127.0.0.1:11001] [--ack=echo|none] …\n"
      "Environment: WXSIM_AUTH_KEY (the accepted authKey).");
  absl::ParseCommandLine(argc, argv);

  wxbridge::LogLevel level;
  if (!wxbridge::ParseLogLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    return Fail("--log_level must be debug, info, warning, error or off");
  }
  wxbridge::SetLogLevel(level);

  wxbridge::sim::SimulatorConfig config;
  if (!ParseListen(absl::GetFlag(FLAGS_listen), &config.listen_host, &config.port)) {
    return Fail("--listen must be host:port");
  }
  if (std::string key = absl::GetFlag(FLAGS_auth_key); !key.empty()) {
    config.auth_key = key;
  } else if (const char *env = std::getenv("WXSIM_AUTH_KEY"); env != nullptr && *env) {
    config.auth_key = env;
  }
  const std::string ack = absl::GetFlag(FLAGS_ack);
  if (ack != "echo" && ack != "none") return Fail("--ack must be echo or none");
  config.ack_mode = ack == "echo" ? wxbridge::sim::AckMode::kEcho : wxbridge::sim::AckMode::kNone;
  const int scan_delay = absl::GetFlag(FLAGS_scan_delay_ms);
  const int step_delay = absl::GetFlag(FLAGS_step_delay_ms);
  const int qr_timeout = absl::GetFlag(FLAGS_qr_timeout_ms);
  const int world_size = absl::GetFlag(FLAGS_world_size);
  const int64_t max_frame = absl::GetFlag(FLAGS_max_frame_bytes);
  if (scan_delay < 0 || step_delay < 0 || qr_timeout < 0) return Fail("delays must be >= 0");
  if (world_size < 0 || world_size > 10000) return Fail("--world_size must be 0..10000");
  if (max_frame < 1024) return Fail("--max_frame_bytes must be >= 1024");
  config.scan_delay = std::chrono::milliseconds(scan_delay);
  config.step_delay = std::chrono::milliseconds(step_delay);
  config.qr_timeout = std::chrono::milliseconds(qr_timeout);
  config.world_size = world_size;
  config.max_frame_bytes = static_cast<std::size_t>(max_frame);

  // Block the stop signals before any thread starts, then wait for one here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  wxbridge::sim::Simulator simulator(config);
  if (absl::Status status = simulator.Start(); !status.ok()) {
    return Fail(std::string(status.message()));
  }
  std::cout << "wxsim listening on " << simulator.url() << std::endl;

  int signal = 0;
  sigwait(&stop_signals, &signal);
  wxbridge::Log(wxbridge::LogLevel::kInfo, "wxsim", "signal ", signal, ", stopping");
  simulator.Stop();
  return 0;
}
