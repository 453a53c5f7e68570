#include "tests/bench/bench_report.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"

namespace wxbridge::bench {
namespace {

using nlohmann::json;

std::string FirstLineWith(const char *path, const std::string &prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0) return line;
  }
  return "";
}

const UnaryRow *FindUnary(const BenchReport &r, const std::string &target, int concurrency) {
  for (const UnaryRow &row : r.unary) {
    if (row.target == target && row.concurrency == concurrency) return &row;
  }
  return nullptr;
}

const FanoutRow *FindRow(const std::vector<FanoutRow> &rows, int subscribers,
                         const std::string &mode) {
  for (const FanoutRow &row : rows) {
    if (row.subscribers == subscribers && row.mode == mode) return &row;
  }
  return nullptr;
}

const FanoutRow *FindFanout(const BenchReport &r, int subscribers, const std::string &mode) {
  return FindRow(r.fanout, subscribers, mode);
}

// One target of the issue: what we measured against what we aim at.
struct TargetCheck {
  std::string name;
  std::optional<double> value;
  double goal;
  bool higher_is_better;
  std::string unit;
  bool met() const { return value && (higher_is_better ? *value >= goal : *value <= goal); }
};

std::vector<TargetCheck> CheckTargets(const BenchReport &r) {
  std::vector<TargetCheck> checks;
  const UnaryRow *bridge256 = FindUnary(r, "wxbridge", 256);
  const UnaryRow *ceiling256 = FindUnary(r, "grpc-ceiling", 256);
  TargetCheck share{"SendText at 256 in flight, share of the gRPC ceiling", {}, 50, true, "%"};
  if (bridge256 && ceiling256 && ceiling256->loop.calls_per_second() > 0) {
    share.value = 100 * bridge256->loop.calls_per_second() / ceiling256->loop.calls_per_second();
  }
  checks.push_back(share);

  const UnaryRow *bridge1 = FindUnary(r, "wxbridge", 1);
  const UnaryRow *ws1 = FindUnary(r, "ws-ceiling", 1);
  TargetCheck added{"SendText p50 added over the WebSocket ceiling at 1", {}, 100, false, "us"};
  if (bridge1 && ws1) added.value = bridge1->loop.latency.p50_us - ws1->loop.latency.p50_us;
  checks.push_back(added);

  TargetCheck fanout{"fan-out deliveries/s across 100 subscribers", {}, 1e6, true, "/s"};
  if (const FanoutRow *row = FindFanout(r, 100, "max")) fanout.value = row->deliveries_per_s;
  checks.push_back(fanout);

  TargetCheck stall{"others' p99 change with one stalled subscriber (100)", {}, 10, false, "%"};
  // Against the mean of the calm runs before and after it.
  const FanoutRow *calm = FindFanout(r, 100, "rate");
  const FanoutRow *calm_again = FindFanout(r, 100, "rate again");
  const FanoutRow *stalled = FindFanout(r, 100, "rate+stalled");
  if (calm && calm_again && stalled) {
    const double calm_p99 = (calm->latency.p99_us + calm_again->latency.p99_us) / 2;
    if (calm_p99 > 0) stall.value = 100 * (stalled->latency.p99_us - calm_p99) / calm_p99;
  }
  checks.push_back(stall);

  const FanoutRow *memory_max = FindRow(r.storage, 1, "max memory");
  const FanoutRow *sync_max = FindRow(r.storage, 1, "max sync");
  TargetCheck ingest{"durable (sync) ingest at 1 subscriber, share of memory's", {}, 50, true, "%"};
  if (memory_max && sync_max && memory_max->deliveries_per_s > 0) {
    ingest.value = 100 * sync_max->deliveries_per_s / memory_max->deliveries_per_s;
  }
  checks.push_back(ingest);
  const FanoutRow *memory_rate = FindRow(r.storage, 1, "rate memory");
  const FanoutRow *sync_rate = FindRow(r.storage, 1, "rate sync");
  TargetCheck added_p50{
      "p50 delivery added by sync durability at the fixed rate", {}, 1000, false, "us"};
  if (memory_rate && sync_rate) {
    added_p50.value = sync_rate->latency.p50_us - memory_rate->latency.p50_us;
  }
  checks.push_back(added_p50);

  TargetCheck idle{"bridge idle RSS", {}, 30 * 1024, false, "KiB"};
  if (r.bridge_idle_rss_kib > 0) idle.value = static_cast<double>(r.bridge_idle_rss_kib);
  checks.push_back(idle);

  TargetCheck per_sub{
      "RSS per idle Subscribe stream (most measured, one connection)", {}, 16, false, "KiB"};
  if (!r.memory.empty()) per_sub.value = r.memory.back().kib_per_stream;
  checks.push_back(per_sub);
  return checks;
}

// The precision as an argument: clang's abseil accepts only constant format strings.
std::string Cost(double value, int decimals) {
  return value < 0 ? "-" : absl::StrFormat("%.*f", decimals, value);
}

json PercentilesJson(const Percentiles &p) {
  return {{"p50_us", p.p50_us},
          {"p99_us", p.p99_us},
          {"p999_us", p.p999_us},
          {"max_us", p.max_us},
          {"samples", p.samples}};
}

void PrintFanoutRows(const std::vector<FanoutRow> &rows) {
  std::printf("%5s %-15s %8s %9s %10s %12s %9s %9s %6s %6s %9s %8s\n", "subs", "mode", "rate/s",
              "pushed", "delivered", "deliveries/s", "p50 us", "p99 us", "gaps", "ev/msg",
              "CPU s/1M", "peak MB");
  for (const FanoutRow &row : rows) {
    std::printf(
        "%5d %-15s %8s %9llu %10llu %12.0f %9.1f %9.1f %6llu %6.1f %9s %8s\n", row.subscribers,
        row.mode.c_str(), row.rate > 0 ? absl::StrFormat("%.0f", row.rate).c_str() : "max",
        static_cast<unsigned long long>(row.pushed), static_cast<unsigned long long>(row.delivered),
        row.deliveries_per_s, row.latency.p50_us, row.latency.p99_us,
        static_cast<unsigned long long>(row.gaps), row.events_per_message,
        Cost(row.bridge_cpu_per_1m, 2).c_str(),
        Cost(row.bridge_peak_rss_kib < 0 ? -1 : row.bridge_peak_rss_kib / 1024.0, 1).c_str());
  }
}

json FanoutRowsJson(const std::vector<FanoutRow> &rows) {
  json out = json::array();
  for (const FanoutRow &row : rows) {
    out.push_back({{"subscribers", row.subscribers},
                   {"mode", row.mode},
                   {"rate_per_second", row.rate},
                   {"pushed", row.pushed},
                   {"delivered", row.delivered},
                   {"seconds", row.seconds},
                   {"deliveries_per_second", row.deliveries_per_s},
                   {"latency", PercentilesJson(row.latency)},
                   {"gaps", row.gaps},
                   {"events_per_message", row.events_per_message},
                   {"bridge_cpu_seconds_per_1m_deliveries", row.bridge_cpu_per_1m},
                   {"bridge_peak_rss_kib", row.bridge_peak_rss_kib}});
  }
  return out;
}

void PrintCluster(const BenchReport &r) {
  if (!r.cluster_fanout.empty()) {
    std::printf(
        "\nCluster fan-out: standalone wxbridge (memory log) vs clusters of 1 and 3 replicas on "
        "NATS JetStream, streams spread over the replicas, in alternating rounds;\n"
        "CPU: the replicas and nats-server summed; peak MB: the first replica\n");
    for (int round = 1; round <= r.cluster_fanout.back().round; ++round) {
      std::vector<FanoutRow> rows;
      for (const FanoutRow &row : r.cluster_fanout) {
        if (row.round == round) rows.push_back(row);
      }
      std::printf("round %d\n", round);
      PrintFanoutRows(rows);
    }
  }
  const FailoverResult &f = r.failover;
  if (f.kills > 0) {
    std::printf(
        "\nCluster failover: kill -9 of the holder of 3 replicas (lease TTL %.1f s) until a "
        "survivor is HOLDER and CONNECTED\n  %d kills, %d failed: min %.0f ms, median %.0f ms, "
        "p90 %.0f ms, max %.0f ms\n",
        f.lease_ttl_s, f.kills, f.failed, f.min_ms, f.median_ms, f.p90_ms, f.max_ms);
  }
}

json ClusterJson(const BenchReport &r) {
  json fanout = FanoutRowsJson(r.cluster_fanout);
  for (std::size_t i = 0; i < fanout.size(); ++i) fanout[i]["round"] = r.cluster_fanout[i].round;
  const FailoverResult &f = r.failover;
  return {{"fanout", fanout},
          {"failover",
           {{"lease_ttl_seconds", f.lease_ttl_s},
            {"kills", f.kills},
            {"failed", f.failed},
            {"takeover_ms", f.ms},
            {"min_ms", f.min_ms},
            {"median_ms", f.median_ms},
            {"p90_ms", f.p90_ms},
            {"max_ms", f.max_ms}}}};
}

}  // namespace

MachineInfo ReadMachineInfo() {
  MachineInfo info;
  info.nproc = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  std::string model = FirstLineWith("/proc/cpuinfo", "model name");
  if (const std::size_t colon = model.find(':'); colon != std::string::npos) {
    info.cpu_model = model.substr(colon + 2);
  }
  const std::string mem = FirstLineWith("/proc/meminfo", "MemTotal:");
  if (!mem.empty()) info.mem_total_kib = std::stoll(mem.substr(9));
  std::ifstream loadavg("/proc/loadavg");
  std::getline(loadavg, info.load_average);
  return info;
}

void PrintReport(const BenchReport &r) {
  std::printf("\nwxbench on %d CPUs (%s), %.1f GiB RAM; load average at start: %s\n",
              r.machine.nproc, r.machine.cpu_model.c_str(),
              static_cast<double>(r.machine.mem_total_kib) / (1 << 20),
              r.machine.load_average.c_str());
  if (!r.unary.empty()) {  // none in the --cluster mode
    std::printf(
        "\nSendText, %zu-byte text, %.1f s per cell (client and servers "
        "share the CPUs)\n",
        r.payload_bytes, r.window_seconds);
    std::printf("%-4s %-13s %10s %9s %9s %9s %12s %12s %9s %6s\n", "inflt", "target", "calls/s",
                "p50 us", "p99 us", "p99.9 us", "CPU s/1k", "bridge s/1k", "peak MB", "errors");
    for (const UnaryRow &row : r.unary) {
      std::printf("%-5d %-13s %10.0f %9.1f %9.1f %9.1f %12s %12s %9s %6llu\n", row.concurrency,
                  row.target.c_str(), row.loop.calls_per_second(), row.loop.latency.p50_us,
                  row.loop.latency.p99_us, row.loop.latency.p999_us,
                  Cost(row.cpu_per_1k, 3).c_str(), Cost(row.bridge_cpu_per_1k, 3).c_str(),
                  Cost(row.peak_rss_kib < 0 ? -1 : row.peak_rss_kib / 1024.0, 1).c_str(),
                  static_cast<unsigned long long>(row.loop.errors));
    }
  }
  if (!r.fanout.empty()) {
    std::printf(
        "\nFan-out: simulator pushes -> wxbridge -> Subscribe streams (max_batch %d; "
        "\"1/msg\": one event per message)\n",
        r.subscribe_max_batch);
    PrintFanoutRows(r.fanout);
  }
  if (!r.storage.empty()) {
    std::printf(
        "\nEvent storage at 1 subscriber: memory (--data_dir empty) vs the durable log "
        "(--durability os, sync); disk fsync (4 KiB) p50: %s us\n",
        Cost(r.fsync_p50_us, 0).c_str());
    PrintFanoutRows(r.storage);
  }
  if (!r.memory.empty() || r.bridge_idle_rss_kib > 0) {
    std::printf("\nMemory: bridge idle RSS %s MB\n",
                Cost(r.bridge_idle_rss_kib < 0 ? -1 : r.bridge_idle_rss_kib / 1024.0, 1).c_str());
    for (const FanoutMemory &m : r.memory) {
      std::printf(
          "  %5d idle streams: RSS %.1f -> %.1f MB on one connection, %.1f KiB per stream; "
          "-> %.1f MB with as many fan-out subscribers, %.1f KiB per subscriber\n",
          m.subscribers, m.rss_before_kib / 1024.0, m.rss_shared_kib / 1024.0, m.kib_per_stream,
          m.rss_after_kib / 1024.0, m.kib_per_subscriber);
    }
  }
  PrintCluster(r);
  // The targets are the single bridge's: --cluster measures none of them.
  if (!r.cluster_mode) {
    std::printf("\nTargets\n");
    for (const TargetCheck &check : CheckTargets(r)) {
      std::printf("  %-4s %-56s %12s %s (goal %s %g %s)\n",
                  check.value ? (check.met() ? "MET" : "MISS") : "n/a", check.name.c_str(),
                  check.value ? absl::StrFormat("%.1f", *check.value).c_str() : "-",
                  check.unit.c_str(), check.higher_is_better ? ">=" : "<=", check.goal,
                  check.unit.c_str());
    }
  }
  for (const std::string &note : r.notes) std::printf("note: %s\n", note.c_str());
}

bool WriteJson(const BenchReport &r, const std::string &path) {
  json out;
  out["machine"] = {{"nproc", r.machine.nproc},
                    {"cpu_model", r.machine.cpu_model},
                    {"mem_total_kib", r.machine.mem_total_kib},
                    {"load_average_at_start", r.machine.load_average}};
  out["payload_bytes"] = r.payload_bytes;
  out["window_seconds"] = r.window_seconds;
  out["bridge_target"] = r.bridge_target;
  out["bridge_idle_rss_kib"] = r.bridge_idle_rss_kib;
  out["send_text"] = json::array();
  for (const UnaryRow &row : r.unary) {
    out["send_text"].push_back({{"target", row.target},
                                {"concurrency", row.concurrency},
                                {"calls", row.loop.calls},
                                {"errors", row.loop.errors},
                                {"seconds", row.loop.seconds},
                                {"calls_per_second", row.loop.calls_per_second()},
                                {"latency", PercentilesJson(row.loop.latency)},
                                {"server_cpu_seconds_per_1k_calls", row.cpu_per_1k},
                                {"bridge_cpu_seconds_per_1k_calls", row.bridge_cpu_per_1k},
                                {"peak_rss_kib", row.peak_rss_kib}});
  }
  out["subscribe_max_batch"] = r.subscribe_max_batch;
  out["fanout"] = FanoutRowsJson(r.fanout);
  out["storage"] = FanoutRowsJson(r.storage);
  out["fsync_p50_us"] = r.fsync_p50_us;
  out["subscriber_memory"] = json::array();
  for (const FanoutMemory &m : r.memory) {
    out["subscriber_memory"].push_back({{"subscribers", m.subscribers},
                                        {"rss_before_kib", m.rss_before_kib},
                                        {"rss_shared_connection_kib", m.rss_shared_kib},
                                        {"rss_after_kib", m.rss_after_kib},
                                        {"kib_per_stream_shared_connection", m.kib_per_stream},
                                        {"kib_per_subscriber", m.kib_per_subscriber}});
  }
  if (!r.cluster_fanout.empty() || r.failover.kills > 0) out["cluster"] = ClusterJson(r);
  out["targets"] = json::array();
  for (const TargetCheck &check : CheckTargets(r)) {
    out["targets"].push_back({{"name", check.name},
                              {"value", check.value ? json(*check.value) : json(nullptr)},
                              {"goal", check.goal},
                              {"unit", check.unit},
                              {"met", check.met()}});
  }
  out["notes"] = r.notes;
  std::error_code ignored;
  const std::filesystem::path file(path);
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ignored);
  std::ofstream stream(path);
  stream << out.dump(2) << "\n";
  return static_cast<bool>(stream);
}

}  // namespace wxbridge::bench
