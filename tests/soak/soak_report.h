// The soak's figures and the table wxsoak prints at the end (--summary).
#ifndef WXBRIDGE_TESTS_SOAK_SOAK_REPORT_H_
#define WXBRIDGE_TESTS_SOAK_SOAK_REPORT_H_

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "tests/soak/chaos_driver.h"
#include "tests/soak/soak_options.h"

namespace wxbridge::soak {

struct SoakFigures {
  double seconds = 0;  // wall time of the chaos phase
  uint64_t head_seq = 0;
  uint64_t frames_read = 0;     // the bridge's frames_received counter
  uint64_t gateway_events = 0;  // events from gateway frames, by the subscribers' ledger
  uint64_t seqs_known = 0;      // seqs in [1, head] some subscriber read
  uint64_t deliveries = 0;      // events received, all subscribers
  uint64_t resumes = 0;
  uint64_t gaps = 0;
  uint64_t missed = 0;      // events the gaps reported dropped
  uint64_t reconnects = 0;  // the bridge's counter
  ChaosCounts chaos;
  uint64_t calls = 0;
  std::map<std::string, uint64_t> calls_by_status;
  std::map<std::string, std::string> status_example;  // a message of each failed status
  uint64_t hung = 0;
  uint64_t unclear = 0;
  uint64_t resent_acks = 0;
  uint64_t request_frames = 0;
  uint64_t frames_twice = 0;
  uint64_t frames_twice_announced = 0;
  int64_t peak_rss_kib = 0;
  int exit_code = -1;
  std::string sanitizer_report;
};

void PrintSummary(const SoakOptions& options, const SoakFigures& figures,
                  const std::vector<std::string>& problems, std::ostream& out);

}  // namespace wxbridge::soak

#endif  // WXBRIDGE_TESTS_SOAK_SOAK_REPORT_H_
