// wxbench_event_store: the event stores side by side, in one process, no gRPC: the
// memory ring (EventLog) and the SQLite store in os and sync durability.
//   1. ingest: one thread (as the upstream I/O thread) appends N events as fast as it
//      can; events/s at which Append returns, and at which they are all readable.
//   2. latency: appends paced at a fixed rate while a reader waits with NotifyAfter, as
//      an idle Subscribe stream does; p50/p99 from Append to the reader's read.
// Figures only, nothing asserted. Usage: wxbench_event_store [DIR] [EVENTS] [RATE]
// (DIR: where the SQLite logs go, on the disk to measure; default ./event_store_bench).
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/events/event_log.h"
#include "server/events/sqlite_event_store.h"

namespace wxbridge::events {
namespace {

using Clock = std::chrono::steady_clock;

// A typical text push: a short message and its frame (the gateway's JSON).
wxbridge::v1::Event SampleEvent(int i) {
  wxbridge::v1::Event event;
  event.set_account("wxid_bench_account");
  event.mutable_text()->set_text("benchmark message " + std::to_string(i));
  event.set_raw_json(std::string(400, 'j'));
  return event;
}

void Flush(EventLog&) {}
void Flush(SqliteEventStore& store) { store.Flush(); }

struct Ingest {
  double append_per_s;
  double readable_per_s;
};

template <typename Store>
Ingest MeasureIngest(Store& store, int events) {
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < events; ++i) store.Append(SampleEvent(i));
  const Clock::time_point appended = Clock::now();
  Flush(store);
  const Clock::time_point readable = Clock::now();
  auto rate = [&](Clock::time_point end) {
    return events / std::chrono::duration<double>(end - start).count();
  };
  return Ingest{rate(appended), rate(readable)};
}

struct Latency {
  double p50_us;
  double p99_us;
};

// The reader is a caught-up subscriber: it reads what is there, then registers a
// wakeup and sleeps on a condition variable until it runs.
template <typename Store>
Latency MeasureLatency(Store& store, int events, int rate) {
  std::vector<Clock::time_point> appended_at(static_cast<std::size_t>(events) + 1);
  std::vector<double> latencies_us;
  latencies_us.reserve(static_cast<std::size_t>(events));
  const uint64_t base = store.head_seq();
  std::mutex mutex;
  std::condition_variable woken;
  bool wake = false;
  std::thread reader([&] {
    uint64_t cursor = base;
    while (cursor < base + static_cast<uint64_t>(events)) {
      auto read = store.ReadAfter(cursor, 1024);
      const Clock::time_point now = Clock::now();
      for (const RetainedEventPtr& event : read.events) {
        latencies_us.push_back(
            std::chrono::duration<double, std::micro>(now - appended_at[event->seq - base])
                .count());
        cursor = event->seq;
      }
      if (!read.events.empty()) continue;
      std::unique_lock<std::mutex> lock(mutex);
      wake = false;
      if (store.NotifyAfter(cursor, [&] {
            std::lock_guard<std::mutex> inner(mutex);
            wake = true;
            woken.notify_one();
          }) == 0) {
        continue;
      }
      woken.wait(lock, [&] { return wake; });
    }
  });
  const auto interval = std::chrono::nanoseconds(1000000000LL / rate);
  Clock::time_point next = Clock::now();
  for (int i = 1; i <= events; ++i) {
    std::this_thread::sleep_until(next);
    next += interval;
    // The slot is written before Append publishes the seq (under the store's lock).
    appended_at[static_cast<std::size_t>(i)] = Clock::now();
    store.Append(SampleEvent(i));
  }
  reader.join();
  std::sort(latencies_us.begin(), latencies_us.end());
  auto at = [&](double q) {
    return latencies_us[static_cast<std::size_t>(q * (latencies_us.size() - 1))];
  };
  return Latency{at(0.50), at(0.99)};
}

std::unique_ptr<SqliteEventStore> OpenStore(const std::filesystem::path& dir,
                                            Durability durability) {
  std::filesystem::remove_all(dir);
  SqliteEventStoreOptions options;
  options.data_dir = dir.string();
  options.durability = durability;
  absl::StatusOr<std::unique_ptr<SqliteEventStore>> store = SqliteEventStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(store);
}

void Report(const char* name, const Ingest& ingest, const Latency& latency, uint64_t appends,
            uint64_t commits) {
  std::printf("%-12s %12.0f %14.0f %10.1f %10.1f", name, ingest.append_per_s, ingest.readable_per_s,
              latency.p50_us, latency.p99_us);
  if (commits > 0) {
    std::printf(" %10llu %8.1f", static_cast<unsigned long long>(commits),
                static_cast<double>(appends) / static_cast<double>(commits));
  }
  std::printf("\n");
}

int Main(int argc, char** argv) {
  const std::filesystem::path dir = argc > 1 ? argv[1] : "event_store_bench";
  const int events = argc > 2 ? std::atoi(argv[2]) : 100000;
  const int rate = argc > 3 ? std::atoi(argv[3]) : 5000;
  const int paced = rate * 2;  // two seconds of paced appends
  std::printf("%d events of %zu bytes; latency at %d events/s for %d events; dir %s\n", events,
              SampleEvent(0).ByteSizeLong(), rate, paced, dir.string().c_str());
  std::printf("%-12s %12s %14s %10s %10s %10s %8s\n", "store", "append ev/s", "readable ev/s",
              "p50 us", "p99 us", "commits", "ev/commit");
  {
    EventLog log;
    const Ingest ingest = MeasureIngest(log, events);
    Report("memory", ingest, MeasureLatency(log, paced, rate), 0, 0);
  }
  for (Durability durability : {Durability::kOs, Durability::kSync}) {
    const bool sync = durability == Durability::kSync;
    std::unique_ptr<SqliteEventStore> store = OpenStore(dir / (sync ? "sync" : "os"), durability);
    const Ingest ingest = MeasureIngest(*store, events);
    const uint64_t commits = store->commit_count();
    const Latency latency = MeasureLatency(*store, paced, rate);
    Report(sync ? "sqlite sync" : "sqlite os", ingest, latency, static_cast<uint64_t>(events),
           commits);
  }
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace wxbridge::events

int main(int argc, char** argv) { return wxbridge::events::Main(argc, argv); }
