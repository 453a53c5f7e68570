// SendText, side by side: the bare gRPC ceiling, the WebSocket ceiling
// (code-103 frames straight to the simulator on one socket) and wxbridge end to
// end, at each concurrency, with the same text, interleaved so that machine
// noise hits all three alike.
#ifndef WXBRIDGE_TESTS_BENCH_SEND_TEXT_BENCH_H_
#define WXBRIDGE_TESTS_BENCH_SEND_TEXT_BENCH_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/bench/bench_options.h"
#include "tests/bench/bench_report.h"
#include "tests/bench/bench_servers.h"

namespace wxbridge::bench {

absl::Status RunSendTextBench(const BenchOptions &options, BenchServers &servers,
                              BenchReport *report);

// One SendText cell through the bridge as it runs now, reported under `label`.
absl::StatusOr<UnaryRow> MeasureBridgeSendText(const BenchOptions &options, BenchServers &servers,
                                               const std::string &label, int concurrency);

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_SEND_TEXT_BENCH_H_
