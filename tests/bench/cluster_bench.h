// wxbench --cluster (issue 15): what cluster mode costs and how fast it fails over.
// Fan-out to the same streams through a standalone wxbridge (memory log), a cluster of 1
// replica and a cluster of 3 with the streams spread over all three, in alternating
// rounds; then the holder killed (SIGKILL) again and again, timing until a survivor is
// the connected holder. Needs nats-server on PATH; skipped with a note without it.
#ifndef WXBRIDGE_TESTS_BENCH_CLUSTER_BENCH_H_
#define WXBRIDGE_TESTS_BENCH_CLUSTER_BENCH_H_

#include "absl/status/status.h"
#include "tests/bench/bench_options.h"
#include "tests/bench/bench_report.h"
#include "tests/bench/bench_servers.h"

namespace wxbridge::bench {

absl::Status RunClusterBench(const BenchOptions &options, BenchServers &servers,
                             BenchReport *report);

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_CLUSTER_BENCH_H_
