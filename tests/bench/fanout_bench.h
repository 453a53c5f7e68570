// Fan-out: the simulator pushes text events to wxbridge, as fast as it can and
// at a fixed rate, and 1/100/1000 Subscribe streams read them. Also the
// bridge's idle RSS, its RSS per idle subscriber, and the others' latency while
// one subscriber is stalled.
#ifndef WXBRIDGE_TESTS_BENCH_FANOUT_BENCH_H_
#define WXBRIDGE_TESTS_BENCH_FANOUT_BENCH_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/bench/bench_options.h"
#include "tests/bench/bench_report.h"
#include "tests/bench/bench_servers.h"
#include "tests/bench/subscriber_fleet.h"

namespace wxbridge::bench {

// Pushes `count` events at `rate` (0: full speed) and waits for them on every stream of
// `fleet`; the bridge CPU is summed over `bridge_pids` (empty: the bench's own bridge).
FanoutRow PushAndCount(const BenchOptions &options, BenchServers &servers, SubscriberFleet &fleet,
                       int subscribers, const std::string &mode, std::size_t count, double rate,
                       std::vector<pid_t> bridge_pids = {});

absl::Status RunFanoutBench(const BenchOptions &options, BenchServers &servers,
                            BenchReport *report);

// Event storage side by side (options.storages) at 1 subscriber: full-speed ingest and
// delivery latency at options.storage_rate, plus the disk's fsync latency.
// One full-speed fan-out run to `subscribers` streams of the bridge as it runs now,
// reported under `mode`.
absl::StatusOr<FanoutRow> MeasureFanout(const BenchOptions &options, BenchServers &servers,
                                        int subscribers, const std::string &mode);

absl::Status RunStorageBench(const BenchOptions &options, BenchServers &servers,
                             BenchReport *report);

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_FANOUT_BENCH_H_
