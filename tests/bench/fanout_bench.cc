#include "tests/bench/fanout_bench.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/bench/grpc_load.h"
#include "tests/bench/process_stats.h"
#include "tests/bench/sim_pusher.h"
#include "tests/bench/subscriber_fleet.h"

namespace wxbridge::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kSetupTimeout(30);
// A run is over when every delivery arrived or none came for this long.
constexpr std::chrono::seconds kIdleEnd(2);
// Latency samples kept per run (the rest of the events are only counted).
constexpr double kSamplesPerRun = 200000;

// A MsgType 1 text push to the bench account; the simulator host writes its send
// time over kSendNsToken. The text is as long as the SendText payload.
std::string PushFrame(std::size_t payload_bytes) {
  return absl::StrCat(
      R"({"MsgId":1,"NewMsgId":7000000000000000001,"MsgType":1,"account":"bench-b",)",
      R"("FromUserName":"wxid_benchfriend01","ToUserName":"wxid_benchself0001",)", R"("Content":")",
      kSentNsMarker, kSendNsToken, " ", std::string(payload_bytes, 'x'),
      R"(","CreateTime":1700000000,"Status":3,"ImgStatus":1,"MsgSource":"",)",
      R"("PushContent":"bench : text"})");
}

bool Contains(const std::vector<int> &values, int value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

absl::Status RunOneSize(const BenchOptions &options, BenchServers &servers, int subscribers,
                        BenchReport *report) {
  if (absl::Status status = servers.RestartBridge(); !status.ok()) return status;
  if (absl::Status status =
          WaitUpstreamConnected(MakeChannel(servers.bridge_target()), kSetupTimeout);
      !status.ok()) {
    return status;
  }
  const pid_t bridge = servers.bridge_pid();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let start-up settle
  const int64_t rss_before = RssKiB(bridge);
  if (report->bridge_idle_rss_kib < 0) report->bridge_idle_rss_kib = rss_before;

  // Idle memory, two ways: streams multiplexed on one connection (what each further
  // stream costs), then the fan-out fleet, by default a connection per subscriber (what
  // an independent client costs, its connection included).
  FanoutMemory memory;
  memory.subscribers = subscribers;
  memory.rss_before_kib = rss_before;
  SubscriberFleet shared(servers.bridge_target(), 1, options.max_batch);
  if (absl::Status status = shared.Open(subscribers, kSetupTimeout); !status.ok()) {
    return status;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  memory.rss_shared_kib = RssKiB(bridge);
  SubscriberFleet fleet(servers.bridge_target(), options.subscriber_channels, options.max_batch);
  if (absl::Status status = fleet.Open(subscribers, kSetupTimeout); !status.ok()) {
    return status;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  memory.rss_after_kib = RssKiB(bridge);
  shared.Close();
  if (bridge > 0) {
    memory.kib_per_stream = static_cast<double>(memory.rss_shared_kib - rss_before) / subscribers;
    memory.kib_per_subscriber =
        static_cast<double>(memory.rss_after_kib - memory.rss_shared_kib) / subscribers;
    report->memory.push_back(memory);
  }

  const std::size_t max_count =
      std::min(options.max_rate_events_cap, options.max_rate_deliveries / subscribers);
  report->fanout.push_back(PushAndCount(options, servers, fleet, subscribers, "max",
                                        std::max<std::size_t>(1, max_count), 0));

  const double rate = std::min(options.fixed_rate_cap, options.fixed_rate_deliveries / subscribers);
  const auto rate_count = static_cast<std::size_t>(
      std::max(1.0, rate * std::chrono::duration<double>(options.fixed_rate_duration).count()));
  report->fanout.push_back(
      PushAndCount(options, servers, fleet, subscribers, "rate", rate_count, rate));

  if (Contains(options.stall_at, subscribers)) {
    if (absl::Status status = fleet.OpenStalled(kSetupTimeout); !status.ok()) return status;
    report->fanout.push_back(
        PushAndCount(options, servers, fleet, subscribers, "rate+stalled", rate_count, rate));
    // The calm run again, so that drift in the machine's speed is not taken for the
    // stalled stream's effect: the comparison is against both calm runs.
    fleet.CloseStalled();
    report->fanout.push_back(
        PushAndCount(options, servers, fleet, subscribers, "rate again", rate_count, rate));
  }
  fleet.Close();

  // The same full-speed load with one event per stream message, for comparison.
  if (options.max_batch > 1 && Contains(options.unbatched_at, subscribers)) {
    SubscriberFleet unbatched(servers.bridge_target(), options.subscriber_channels, 1);
    if (absl::Status status = unbatched.Open(subscribers, kSetupTimeout); !status.ok()) {
      return status;
    }
    report->fanout.push_back(PushAndCount(options, servers, unbatched, subscribers, "max 1/msg",
                                          std::max<std::size_t>(1, max_count), 0));
  }
  return absl::OkStatus();
}

// The disk's own cost: 4 KiB written and fdatasync'ed, as a sync commit pays it.
double FsyncP50Micros(const std::string &dir) {
  const std::string path = dir + "/fsync-probe";
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  if (fd < 0) return -1;
  const std::string block(4096, 'f');
  std::vector<double> micros;
  for (int i = 0; i < 200; ++i) {
    const auto start = Clock::now();
    if (::pwrite(fd, block.data(), block.size(), 0) < 0 || ::fdatasync(fd) != 0) break;
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  if (micros.empty()) return -1;
  std::sort(micros.begin(), micros.end());
  return micros[micros.size() / 2];
}

}  // namespace

FanoutRow PushAndCount(const BenchOptions &options, BenchServers &servers, SubscriberFleet &fleet,
                       int subscribers, const std::string &mode, std::size_t count, double rate,
                       std::vector<pid_t> bridge_pids) {
  if (bridge_pids.empty()) bridge_pids.push_back(servers.bridge_pid());
  const uint64_t expected = static_cast<uint64_t>(count) * static_cast<uint64_t>(subscribers);
  fleet.ResetCounters(static_cast<int>(std::max(1.0, expected / kSamplesPerRun)));
  CostMeter meter(bridge_pids);
  meter.Start();
  const auto start = Clock::now();
  servers.Push(PushFrame(options.payload_bytes), count, rate);
  const auto last = fleet.WaitForEvents(expected, kIdleEnd);
  meter.Stop();

  FanoutRow row;
  row.subscribers = subscribers;
  row.mode = mode;
  row.rate = rate;
  row.pushed = count;
  row.delivered = fleet.events();
  if (const uint64_t messages = fleet.messages(); messages > 0) {
    row.events_per_message = static_cast<double>(row.delivered) / static_cast<double>(messages);
  }
  row.gaps = fleet.gaps();
  row.seconds = std::chrono::duration<double>(last - start).count();
  if (row.seconds > 0) row.deliveries_per_s = row.delivered / row.seconds;
  row.latency = fleet.TakeLatency();
  double cpu = 0;  // summed over the replicas of a cluster; -1 when one is unknown
  for (std::size_t i = 0; i < meter.size() && cpu >= 0; ++i) {
    cpu = meter.cpu_seconds(i) < 0 ? -1 : cpu + meter.cpu_seconds(i);
  }
  if (cpu >= 0 && row.delivered > 0) row.bridge_cpu_per_1m = 1e6 * cpu / row.delivered;
  row.bridge_peak_rss_kib = meter.peak_rss_kib(0);
  std::fprintf(
      stderr, "  %5d subscribers %-13s: %10.0f deliveries/s, p99 %.0f us, %.1f events/msg\n",
      subscribers, mode.c_str(), row.deliveries_per_s, row.latency.p99_us, row.events_per_message);
  return row;
}

absl::Status RunStorageBench(const BenchOptions &options, BenchServers &servers,
                             BenchReport *report) {
  if (!servers.can_push() || servers.external_bridge()) {
    report->notes.push_back("storage comparison skipped: it needs the bench's own bridge");
    return absl::OkStatus();
  }
  report->fsync_p50_us = FsyncP50Micros(options.log_dir);
  for (const std::string &storage : options.storages) {
    servers.UseStorage(storage);
    if (absl::Status status = servers.RestartBridge(); !status.ok()) return status;
    if (absl::Status status =
            WaitUpstreamConnected(MakeChannel(servers.bridge_target()), kSetupTimeout);
        !status.ok()) {
      return status;
    }
    SubscriberFleet fleet(servers.bridge_target(), options.subscriber_channels, options.max_batch);
    if (absl::Status status = fleet.Open(1, kSetupTimeout); !status.ok()) return status;
    const std::size_t max_count =
        std::min(options.max_rate_events_cap, options.max_rate_deliveries);
    const std::string max_mode = "max " + storage;
    const std::string rate_mode = "rate " + storage;
    report->storage.push_back(PushAndCount(options, servers, fleet, 1, max_mode.c_str(),
                                           std::max<std::size_t>(1, max_count), 0));
    const auto rate_count = static_cast<std::size_t>(std::max(
        1.0,
        options.storage_rate * std::chrono::duration<double>(options.fixed_rate_duration).count()));
    report->storage.push_back(PushAndCount(options, servers, fleet, 1, rate_mode.c_str(),
                                           rate_count, options.storage_rate));
    fleet.Close();
  }
  servers.UseStorage("memory");
  return absl::OkStatus();
}

absl::StatusOr<FanoutRow> MeasureFanout(const BenchOptions &options, BenchServers &servers,
                                        int subscribers, const std::string &mode) {
  SubscriberFleet fleet(servers.bridge_target(), options.subscriber_channels, options.max_batch);
  if (absl::Status status = fleet.Open(subscribers, kSetupTimeout); !status.ok()) return status;
  const std::size_t count = std::max<std::size_t>(
      1, std::min(options.max_rate_events_cap, options.max_rate_deliveries / subscribers));
  FanoutRow row = PushAndCount(options, servers, fleet, subscribers, mode.c_str(), count, 0);
  fleet.Close();
  return row;
}

absl::Status RunFanoutBench(const BenchOptions &options, BenchServers &servers,
                            BenchReport *report) {
  if (!servers.can_push()) {
    report->notes.push_back(
        "fan-out skipped: it needs the bench's own "
        "simulator (drop --sim) to push events");
    return absl::OkStatus();
  }
  if (servers.external_bridge()) {
    report->notes.push_back(
        "external target: subscriber RSS is measured on "
        "one process for every size");
  }
  for (int subscribers : options.subscribers) {
    if (absl::Status status = RunOneSize(options, servers, subscribers, report); !status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("fan-out with ", subscribers, " subscribers: ", status.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace wxbridge::bench
