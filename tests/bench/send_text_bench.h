// SendText, side by side: the bare gRPC ceiling, the WebSocket ceiling
// (code-103 frames straight to the simulator on one socket) and wxbridge end to
// end, at each concurrency, with the same text, interleaved so that machine
// noise hits all three alike.
#ifndef WXBRIDGE_TESTS_BENCH_SEND_TEXT_BENCH_H_
#define WXBRIDGE_TESTS_BENCH_SEND_TEXT_BENCH_H_

#include "absl/status/status.h"
#include "tests/bench/bench_options.h"
#include "tests/bench/bench_report.h"
#include "tests/bench/bench_servers.h"

namespace wxbridge::bench {

absl::Status RunSendTextBench(const BenchOptions &options, BenchServers &servers,
                              BenchReport *report);

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_SEND_TEXT_BENCH_H_
