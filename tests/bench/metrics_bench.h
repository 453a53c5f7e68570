// Metrics on and off, side by side: SendText and a full-speed fan-out through a bridge
// started without --metrics_listen, then through one started with it, repeated a few
// rounds in alternation so that machine noise hits both alike. What it measures is what
// metrics cost the hot paths (the call interceptor, the counted appends, the relaxed
// counters); a scrape itself reads counters once, off those paths.
#ifndef WXBRIDGE_TESTS_BENCH_METRICS_BENCH_H_
#define WXBRIDGE_TESTS_BENCH_METRICS_BENCH_H_

#include "absl/status/status.h"
#include "tests/bench/bench_options.h"
#include "tests/bench/bench_report.h"
#include "tests/bench/bench_servers.h"

namespace wxbridge::bench {

// Adds SendText rows targeted "metrics off"/"metrics on" and fan-out rows of those
// modes at options.metrics_subscribers.
absl::Status RunMetricsBench(const BenchOptions &options, BenchServers &servers,
                             BenchReport *report);

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_METRICS_BENCH_H_
