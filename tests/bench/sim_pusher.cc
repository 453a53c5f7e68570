#include "tests/bench/sim_pusher.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace wxbridge::bench {
namespace {

using Clock = std::chrono::steady_clock;

// One push: the frame cut at each kSendNsToken, the copies released so far (all at once,
// or one by one at the fixed rate) and how many each connection has written.
class PushJob {
 public:
  PushJob(const std::string &frame, std::size_t count, std::size_t released)
      : parts_(absl::StrSplit(frame, kSendNsToken)), count_(count), released_(released) {}

  // The frame source: the next copy for `connection`, stamped now, if one is due.
  // On the simulator's I/O thread.
  std::optional<std::string> Next(sim::ConnectionId connection) {
    std::size_t &sent = sent_[connection];
    if (sent >= std::min(count_, released_.load(std::memory_order_acquire))) return std::nullopt;
    ++sent;
    if (parts_.size() == 1) return parts_.front();
    const int64_t now_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
            .count();
    return absl::StrJoin(parts_, absl::StrCat(now_ns));
  }

  void Release(std::size_t copies) { released_.store(copies, std::memory_order_release); }

 private:
  const std::vector<std::string> parts_;
  const std::size_t count_;
  std::atomic<std::size_t> released_;
  std::unordered_map<sim::ConnectionId, std::size_t> sent_;
};

}  // namespace

SimPusher::~SimPusher() { Stop(); }

void SimPusher::Start(const std::string &frame, std::size_t count, double rate_per_second) {
  StopPacer();
  const bool paced = rate_per_second > 0 && count > 1;
  auto job = std::make_shared<PushJob>(frame, count, paced ? 1 : count);
  simulator_.SetFrameSource([job](sim::ConnectionId connection) { return job->Next(connection); });
  if (!paced) return;
  const auto start = Clock::now();
  pacer_ = std::thread([this, job, count, rate_per_second, start] {
    std::unique_lock<std::mutex> lock(mutex_);
    for (std::size_t k = 1; k < count; ++k) {
      const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(k / rate_per_second));
      if (stop_changed_.wait_until(lock, due, [this] { return stopping_; })) return;
      job->Release(k + 1);
      simulator_.PullFrames();
    }
  });
}

void SimPusher::Stop() {
  StopPacer();
  simulator_.SetFrameSource(nullptr);
}

void SimPusher::StopPacer() {
  if (!pacer_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_changed_.notify_all();
  pacer_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  stopping_ = false;
}

}  // namespace wxbridge::bench
