// The figures of one wxbench run, printed as a table and written as JSON.
#ifndef WXBRIDGE_TESTS_BENCH_BENCH_REPORT_H_
#define WXBRIDGE_TESTS_BENCH_BENCH_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tests/bench/closed_loop.h"
#include "tests/bench/latency.h"

namespace wxbridge::bench {

struct MachineInfo {
  int nproc = 0;
  std::string cpu_model;
  int64_t mem_total_kib = 0;
  std::string load_average;  // /proc/loadavg when the run started
};
MachineInfo ReadMachineInfo();

// One target at one concurrency.
struct UnaryRow {
  std::string target;  // "grpc-ceiling", "ws-ceiling", "wxbridge"
  int concurrency = 0;
  LoopResult loop;
  // Server processes' CPU seconds per 1000 calls (sum over the target's
  // processes) and that of the bridge process alone (wxbridge only); -1 when
  // unknown.
  double cpu_per_1k = -1;
  double bridge_cpu_per_1k = -1;
  int64_t peak_rss_kib = -1;  // of the main server process, during the window
};

struct FanoutRow {
  int subscribers = 0;
  std::string mode;  // "max", "rate", "rate+stalled", "rate again", "max 1/msg"
  double rate = 0;   // events/s pushed (0: as fast as possible)
  uint64_t pushed = 0;
  uint64_t delivered = 0;  // to the reading streams
  double seconds = 0;
  double deliveries_per_s = 0;
  Percentiles latency;  // gateway send -> subscriber receive
  uint64_t gaps = 0;
  double events_per_message = 0;  // mean events per stream message (batching)
  double bridge_cpu_per_1m = -1;  // bridge CPU seconds per million deliveries
  int64_t bridge_peak_rss_kib = -1;
  int round = 0;  // --cluster: the round (from 1) the row was measured in
};

struct FanoutMemory {
  int subscribers = 0;
  int64_t rss_before_kib = 0;     // bridge RSS with no stream open
  int64_t rss_shared_kib = 0;     // + `subscribers` idle streams on one connection
  int64_t rss_after_kib = 0;      // + as many again, as the fan-out fleet connects
  double kib_per_stream = 0;      // on a shared connection
  double kib_per_subscriber = 0;  // as the fan-out fleet connects (its own connection)
};

// Failover of a 3-replica cluster: SIGKILL of the holder until a survivor reports
// itself HOLDER with its upstream CONNECTED, once per kill.
struct FailoverResult {
  double lease_ttl_s = 0;
  int kills = 0;
  int failed = 0;          // kills after which no holder connected within the timeout
  std::vector<double> ms;  // one per successful kill, in order
  double min_ms = 0, median_ms = 0, p90_ms = 0, max_ms = 0;
};

struct BenchReport {
  MachineInfo machine;
  int subscribe_max_batch = 1;  // SubscribeRequest.max_batch of the fan-out streams
  std::size_t payload_bytes = 0;
  double window_seconds = 0;
  std::string bridge_target;
  int64_t bridge_idle_rss_kib = -1;
  std::vector<UnaryRow> unary;
  std::vector<FanoutRow> fanout;
  // Storage comparison at 1 subscriber: modes "max <storage>" and "rate <storage>".
  std::vector<FanoutRow> storage;
  double fsync_p50_us = -1;  // 4 KiB write + fdatasync in the log dir
  std::vector<FanoutMemory> memory;
  bool cluster_mode = false;  // --cluster: only the cluster figures below
  // --cluster: modes "<max|rate> <standalone|cluster-1|cluster-3>", one row per round.
  std::vector<FanoutRow> cluster_fanout;
  FailoverResult failover;
  std::vector<std::string> notes;
};

void PrintReport(const BenchReport &report);
// Creates the file's folder if needed. False on failure.
bool WriteJson(const BenchReport &report, const std::string &path);

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_BENCH_REPORT_H_
