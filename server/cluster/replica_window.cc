#include "server/cluster/replica_window.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace wxbridge::cluster {
namespace {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void ReplicaWindow::Add(events::RetainedEventPtr event, int64_t stored_ns) {
  std::deque<Entry> dropped;  // freed after unlocking: they may be large images
  std::vector<Listener> to_wake;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const uint64_t seq = event->seq;
    if (seq <= head_seq_) return;
    if (seq != head_seq_ + 1) {
      dropped.swap(entries_);
      bytes_ = 0;
    }
    bytes_ += events::RetainedBytes(*event);
    entries_.push_back(Entry{std::move(event), stored_ns});
    head_seq_ = seq;
    TrimLocked(&dropped);
    to_wake = waiters_.TakeAll();
  }
  for (Listener& wakeup : to_wake) wakeup();
}

void ReplicaWindow::TrimLocked(std::deque<Entry>* dropped) {
  const int64_t age_cutoff =
      bounds_.age.count() > 0
          ? NowNanos() - std::chrono::duration_cast<std::chrono::nanoseconds>(bounds_.age).count()
          : 0;
  while (entries_.size() > 1) {
    const Entry& oldest = entries_.front();
    if (entries_.size() <= bounds_.count && bytes_ <= bounds_.bytes &&
        oldest.stored_ns >= age_cutoff) {
      break;
    }
    bytes_ -= events::RetainedBytes(*oldest.event);
    dropped->push_back(std::move(entries_.front()));
    entries_.pop_front();
  }
}

uint64_t ReplicaWindow::head_seq() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return head_seq_;
}

uint64_t ReplicaWindow::oldest_seq() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.empty() ? 0 : entries_.front().event->seq;
}

std::size_t ReplicaWindow::count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

std::size_t ReplicaWindow::bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_;
}

events::EventStore::ReadResult ReplicaWindow::ReadAfter(uint64_t after_seq,
                                                        std::size_t max_events) const {
  events::EventStore::ReadResult result;
  std::lock_guard<std::mutex> lock(mutex_);
  if (after_seq >= head_seq_ || max_events == 0 || entries_.empty()) return result;
  const uint64_t oldest = entries_.front().event->seq;
  uint64_t next = after_seq + 1;
  if (next < oldest) {
    wxbridge::v1::Gap& gap = result.gap.emplace();
    gap.set_first_missing_seq(next);
    gap.set_first_available_seq(oldest);
    next = oldest;
  }
  const uint64_t last = std::min<uint64_t>(head_seq_, next + max_events - 1);
  result.events.reserve(last - next + 1);
  for (uint64_t seq = next; seq <= last; ++seq) {
    result.events.push_back(entries_[seq - oldest].event);
  }
  return result;
}

uint64_t ReplicaWindow::NotifyAfter(uint64_t after_seq, Listener wakeup) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (head_seq_ > after_seq) return 0;
  return waiters_.Add(std::move(wakeup));
}

bool ReplicaWindow::CancelNotify(uint64_t id) {
  Listener dropped;  // destroyed after unlocking: its captures are the caller's
  std::lock_guard<std::mutex> lock(mutex_);
  return waiters_.Remove(id, &dropped);
}

}  // namespace wxbridge::cluster
