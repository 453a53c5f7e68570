#include "server/metrics/process_collector.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "server/metrics/family_builder.h"

namespace wxbridge::metrics {
namespace {

struct ProcStat {
  bool ok = false;
  double cpu_seconds = 0;
  double start_seconds_after_boot = 0;
  double virtual_bytes = 0;
  double resident_bytes = 0;
};

// /proc/self/stat: fields after the ")" that ends the command name (which may hold
// spaces); utime and stime are fields 14 and 15, starttime 22, vsize 23, rss 24 (pages).
ProcStat ReadProcStat() {
  std::ifstream file("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::size_t end_of_name = text.rfind(')');
  ProcStat stat;
  if (end_of_name == std::string::npos) return stat;
  std::istringstream fields(text.substr(end_of_name + 2));
  std::string field;
  double values[23] = {};  // fields 3..25
  for (int i = 0; i < 23 && fields >> field; ++i) values[i] = std::strtod(field.c_str(), nullptr);
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  stat.ok = ticks > 0;
  stat.cpu_seconds = (values[14 - 3] + values[15 - 3]) / ticks;
  stat.start_seconds_after_boot = values[22 - 3] / ticks;
  stat.virtual_bytes = values[23 - 3];
  stat.resident_bytes = values[24 - 3] * static_cast<double>(sysconf(_SC_PAGESIZE));
  return stat;
}

double BootTime() {
  std::ifstream file("/proc/stat");
  std::string key;
  double value = 0;
  while (file >> key) {
    if (key == "btime" && file >> value) return value;
    file.ignore(1 << 16, '\n');
  }
  return 0;
}

double OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // the directory stream's own descriptor
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  prometheus::MetricFamily build =
      Family("wxbridge_build_info", "always 1; the version and git commit of this build",
             prometheus::MetricType::Gauge);
  AddSample(&build, 1, {{"version", version_}, {"commit", commit_}});
  families.push_back(std::move(build));
  if (const ProcStat stat = ReadProcStat(); stat.ok) {
    families.push_back(CounterOf("process_cpu_seconds_total",
                                 "user and system CPU time spent, in seconds", stat.cpu_seconds));
    families.push_back(GaugeOf("process_resident_memory_bytes", "resident memory size, in bytes",
                               stat.resident_bytes));
    families.push_back(GaugeOf("process_virtual_memory_bytes", "virtual memory size, in bytes",
                               stat.virtual_bytes));
    families.push_back(GaugeOf("process_start_time_seconds",
                               "start time of the process since the Unix epoch, in seconds",
                               BootTime() + stat.start_seconds_after_boot));
  }
  families.push_back(GaugeOf("process_open_fds", "open file descriptors", OpenFds()));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    families.push_back(GaugeOf("process_max_fds", "the open file descriptor limit",
                               static_cast<double>(limit.rlim_cur)));
  }
  return families;
}

}  // namespace wxbridge::metrics
