#include "tests/bench/process_stats.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace wxbridge::bench {
namespace {

std::string ProcPath(pid_t pid, const char *leaf) {
  return "/proc/" + std::to_string(pid) + "/" + leaf;
}

int64_t StatusFieldKiB(pid_t pid, const std::string &field) {
  std::ifstream in(ProcPath(pid, "status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, field.size(), field) == 0 && line[field.size()] == ':') {
      return std::strtoll(line.c_str() + field.size() + 1, nullptr, 10);
    }
  }
  return -1;
}

}  // namespace

double CpuSeconds(pid_t pid) {
  std::ifstream in(ProcPath(pid, "stat"));
  std::string stat;
  if (!std::getline(in, stat)) return -1;
  // The command name (field 2) may hold spaces; fields are counted after its
  // ')'.
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;
  unsigned long long utime = 0, stime = 0;
  fields >> utime >> stime;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int64_t RssKiB(pid_t pid) { return StatusFieldKiB(pid, "VmRSS"); }
int64_t PeakRssKiB(pid_t pid) { return StatusFieldKiB(pid, "VmHWM"); }

bool ResetPeakRss(pid_t pid) {
  std::ofstream out(ProcPath(pid, "clear_refs"));
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

void CostMeter::Start() {
  cpu_.assign(pids_.size(), -1);
  peak_.assign(pids_.size(), -1);
  for (std::size_t i = 0; i < pids_.size(); ++i) {
    if (pids_[i] <= 0) continue;
    ResetPeakRss(pids_[i]);
    cpu_[i] = CpuSeconds(pids_[i]);
  }
}

void CostMeter::Stop() {
  for (std::size_t i = 0; i < pids_.size(); ++i) {
    if (pids_[i] <= 0 || cpu_[i] < 0) continue;
    cpu_[i] = CpuSeconds(pids_[i]) - cpu_[i];
    peak_[i] = PeakRssKiB(pids_[i]);
  }
}

}  // namespace wxbridge::bench
