#include "tests/soak/bridge_child.h"

#include <algorithm>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "tests/bench/process_stats.h"

namespace wxbridge::soak {
namespace {

std::string Ms(milliseconds ms) { return absl::StrCat(ms.count(), "ms"); }

// Lines that begin a report of ASan, UBSan, LSan or TSan.
bool IsSanitizerLine(const std::string& line) {
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                             "WARNING: ThreadSanitizer", "runtime error:"}) {
    if (line.find(marker) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

BridgeChild::BridgeChild(const SoakOptions& options, const std::string& upstream_url,
                         const std::string& auth_key)
    : options_(options), log_path_(absl::StrCat(options.log_dir, "/wxsoak-bridge.log")) {
  // Short keepalive and backoff so that stalls and drops turn into reconnects many times
  // a minute; a small frame limit so that an oversized frame is cheap to send.
  const std::vector<std::string> argv = {
      options.bridge_binary,
      "--listen=127.0.0.1:0",
      "--data_dir=",
      absl::StrCat("--upstream=", upstream_url),
      "--pace=off",  // the soak measures the bridge under load, not WeChat's limits
      "--log_level=warning",
      absl::StrCat("--ping_interval=", Ms(options.Scaled(milliseconds(400)))),
      absl::StrCat("--write_timeout=", Ms(options.Scaled(milliseconds(800)))),
      absl::StrCat("--connect_timeout=", Ms(options.Scaled(milliseconds(2000)))),
      "--backoff_initial=10ms",
      "--backoff_max=200ms",
      absl::StrCat("--call_timeout=", Ms(kCallTimeout)),
      "--max_call_timeout=10s",
      absl::StrCat("--max_frame_bytes=", kMaxFrameBytes),
      absl::StrCat("--max_queue_bytes=", 8 * kMaxFrameBytes),
      absl::StrCat("--event_retention=", options.event_retention),
      "--heartbeat=300ms",
      "--shutdown_grace=1s",
  };
  testing::ChildOptions child;
  child.env = {absl::StrCat("WXBRIDGE_AUTH_KEY=", auth_key)};
  child.stderr_file = log_path_;
  process_ = std::make_unique<testing::ChildProcess>(argv, child);
}

BridgeChild::~BridgeChild() {
  stop_sampling_ = true;
  if (sampler_.joinable()) sampler_.join();
}

std::optional<int> BridgeChild::WaitForPort() {
  std::optional<int> port = process_->ReadPort(options_.Scaled(milliseconds(20000)));
  if (!port) return std::nullopt;
  port_ = *port;
  process_->DrainOutput();
  sampler_ = std::thread([this] { SampleMemory(); });
  return port;
}

std::string BridgeChild::target() const { return absl::StrCat("127.0.0.1:", port_); }

void BridgeChild::SampleMemory() {
  const pid_t pid = process_->pid();
  while (!stop_sampling_) {
    // VmHWM is the kernel's own peak; VmRSS covers a kernel without it.
    const int64_t now = std::max(bench::PeakRssKiB(pid), bench::RssKiB(pid));
    int64_t seen = peak_rss_kib_;
    while (now > seen && !peak_rss_kib_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
}

BridgeEnd BridgeChild::Stop() {
  stop_sampling_ = true;
  if (sampler_.joinable()) sampler_.join();
  testing::ProcessResult result = process_->Stop(options_.Scaled(milliseconds(15000)));
  BridgeEnd end;
  end.exit_code = result.exit_code;
  end.timed_out = result.timed_out;
  std::ifstream log(log_path_);
  for (std::string line; std::getline(log, line);) {
    if (IsSanitizerLine(line)) {
      end.sanitizer_report = line;
      break;
    }
  }
  return end;
}

}  // namespace wxbridge::soak
