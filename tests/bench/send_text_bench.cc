#include "tests/bench/send_text_bench.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/sim/simulator.h"
#include "tests/bench/closed_loop.h"
#include "tests/bench/grpc_load.h"
#include "tests/bench/process_stats.h"
#include "tests/bench/ws_load_client.h"

namespace wxbridge::bench {
namespace {

namespace v1 = ::wxbridge::v1;

constexpr std::chrono::seconds kSetupTimeout(20);
constexpr std::chrono::seconds kCallDeadline(10);
// Same length, so the gRPC and WebSocket frames weigh the same.
constexpr char kBridgeAccount[] = "bench-b";
constexpr char kSocketAccount[] = "bench-w";

v1::SendTextRequest Request(const std::string &account, std::size_t payload_bytes) {
  v1::SendTextRequest request;
  request.set_account(account);
  request.set_to_user_name(sim::Simulator::CustomIdPersonId());
  request.set_content(std::string(payload_bytes, 'x'));
  return request;
}

// Runs one cell and measures the target's server processes over its window.
// `pids[0]` is the bridge's when `bridge`: its own CPU is reported too.
UnaryRow Measure(const std::string &target, int concurrency, const AsyncCall &call,
                 std::vector<pid_t> pids, const BenchOptions &options, bool bridge = false) {
  CostMeter meter(std::move(pids));
  UnaryRow row;
  row.target = target;
  row.concurrency = concurrency;
  row.loop = RunClosedLoop(call, concurrency, options.warmup, options.window,
                           {[&] { meter.Start(); }, [&] { meter.Stop(); }});
  double cpu = 0;
  bool known = meter.size() > 0;
  for (std::size_t i = 0; i < meter.size(); ++i) {
    if (meter.cpu_seconds(i) < 0) known = false;
    cpu += meter.cpu_seconds(i);
  }
  if (known && row.loop.calls > 0) row.cpu_per_1k = 1000 * cpu / row.loop.calls;
  if (meter.size() > 0) row.peak_rss_kib = meter.peak_rss_kib(0);
  if (bridge && meter.size() > 0 && meter.cpu_seconds(0) >= 0 && row.loop.calls > 0) {
    row.bridge_cpu_per_1k = 1000 * meter.cpu_seconds(0) / row.loop.calls;
  }
  std::fprintf(stderr, "  %-13s in flight %4d: %8.0f calls/s, p50 %.1f us\n", target.c_str(),
               concurrency, row.loop.calls_per_second(), row.loop.latency.p50_us);
  return row;
}

}  // namespace

absl::Status RunSendTextBench(const BenchOptions &options, BenchServers &servers,
                              BenchReport *report) {
  std::unique_ptr<SendTextCaller> bridge, ceiling;
  std::unique_ptr<WsLoadClient> socket;
  if (options.Measures("wxbridge")) {
    auto channel = MakeChannel(servers.bridge_target());
    if (absl::Status status = LogIn(channel, kBridgeAccount, kSetupTimeout); !status.ok()) {
      return absl::UnavailableError(absl::StrCat("log-in through the bridge: ", status.message()));
    }
    bridge = std::make_unique<SendTextCaller>(
        channel, Request(kBridgeAccount, options.payload_bytes), kCallDeadline);
  }
  if (options.Measures("grpc-ceiling")) {
    auto channel = MakeChannel(servers.ceiling_target());
    if (!WaitForChannel(channel.get(), kSetupTimeout)) {
      return absl::UnavailableError("the gRPC ceiling server is not reachable");
    }
    ceiling = std::make_unique<SendTextCaller>(
        channel, Request(kBridgeAccount, options.payload_bytes), kCallDeadline);
  }
  if (options.Measures("ws-ceiling")) {
    socket = std::make_unique<WsLoadClient>(servers.sim_url(), options.auth_key);
    absl::Status status = socket->Connect(kSetupTimeout);
    if (status.ok()) status = socket->LogIn(kSocketAccount, kSetupTimeout);
    if (status.ok()) status = socket->SetRequest(Request(kSocketAccount, options.payload_bytes));
    if (!status.ok()) return status;
  }

  for (int concurrency : options.concurrency) {
    if (ceiling) {
      report->unary.push_back(Measure("grpc-ceiling", concurrency, ceiling->AsAsyncCall(),
                                      {servers.ceiling_pid()}, options));
    }
    if (socket) {
      report->unary.push_back(
          Measure("ws-ceiling", concurrency, socket->AsAsyncCall(), {servers.sim_pid()}, options));
    }
    if (bridge) {
      report->unary.push_back(Measure("wxbridge", concurrency, bridge->AsAsyncCall(),
                                      {servers.bridge_pid(), servers.sim_pid()}, options, true));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<UnaryRow> MeasureBridgeSendText(const BenchOptions &options, BenchServers &servers,
                                               const std::string &label, int concurrency) {
  auto channel = MakeChannel(servers.bridge_target());
  if (absl::Status status = LogIn(channel, kBridgeAccount, kSetupTimeout); !status.ok()) {
    return absl::UnavailableError(absl::StrCat("log-in through the bridge: ", status.message()));
  }
  SendTextCaller caller(channel, Request(kBridgeAccount, options.payload_bytes), kCallDeadline);
  return Measure(label, concurrency, caller.AsAsyncCall(),
                 {servers.bridge_pid(), servers.sim_pid()}, options, true);
}

}  // namespace wxbridge::bench
