// What the kernel says about a server process: CPU time (utime+stime from
// /proc/PID/stat), resident set size now and at its peak (VmRSS/VmHWM from
// /proc/PID/status). Linux only, like the rest of the bench.
#ifndef WXBRIDGE_TESTS_BENCH_PROCESS_STATS_H_
#define WXBRIDGE_TESTS_BENCH_PROCESS_STATS_H_

#include <sys/types.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace wxbridge::bench {

// User + system CPU seconds the process has used so far; -1 if it is gone.
double CpuSeconds(pid_t pid);
// Resident set size now / at its peak, in KiB; -1 if unknown.
int64_t RssKiB(pid_t pid);
int64_t PeakRssKiB(pid_t pid);
// Makes VmHWM start again from the current RSS (writes 5 to
// /proc/PID/clear_refs), so a peak can be measured per phase. False when the
// kernel refuses.
bool ResetPeakRss(pid_t pid);

// CPU used and peak RSS reached by a set of processes between Start() and
// Stop(). Unknown pids (0) read as -1.
class CostMeter {
 public:
  explicit CostMeter(std::vector<pid_t> pids) : pids_(std::move(pids)) {}
  void Start();
  void Stop();
  std::size_t size() const { return pids_.size(); }
  double cpu_seconds(std::size_t i) const { return cpu_[i]; }
  int64_t peak_rss_kib(std::size_t i) const { return peak_[i]; }

 private:
  std::vector<pid_t> pids_;
  std::vector<double> cpu_;
  std::vector<int64_t> peak_;
};

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_PROCESS_STATS_H_
