#include "server/events/event_log.h"

#include <algorithm>
#include <utility>

#include "server/events/log_id.h"
#include "server/events/prepared_event.h"

namespace wxbridge::events {

EventLog::EventLog(EventLogOptions options)
    : capacity_(std::max<std::size_t>(options.capacity, 1)),
      retention_bytes_(options.retention_bytes),
      max_event_bytes_(options.max_event_bytes),
      log_id_(NewLogId()),
      ring_(capacity_) {}

StoredEventPtr EventLog::Append(wxbridge::v1::Event event) {
  // Everything but the seq is built before taking the lock (serialized, and cut when too
  // large, the one place where an event is): appenders and readers contend only for
  // the slot update.
  PreparedEvent prepared = PrepareEvent(std::move(event), max_event_bytes_);
  if (prepared.truncated) truncated_count_++;

  // Freed after unlocking: they may be large images.
  RetainedEventPtr evicted;
  std::vector<RetainedEventPtr> dropped_for_bytes;
  std::vector<Listener> to_wake;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const uint64_t seq = ++head_seq_;
    NumberEvent(seq, &prepared);
    retained_bytes_ += RetainedBytes(*prepared.retained);
    // The slot's event (seq - capacity_) is gone unless the byte bound took it already.
    evicted = std::exchange(ring_[seq % capacity_], std::move(prepared.retained));
    if (evicted) retained_bytes_ -= RetainedBytes(*evicted);
    if (oldest_seq_ == 0) {
      oldest_seq_ = seq;
    } else if (seq - oldest_seq_ >= capacity_) {
      oldest_seq_ = seq - capacity_ + 1;
    }
    while (retained_bytes_ > retention_bytes_ && oldest_seq_ < seq) {
      RetainedEventPtr& oldest = ring_[oldest_seq_ % capacity_];
      retained_bytes_ -= RetainedBytes(*oldest);
      dropped_for_bytes.push_back(std::move(oldest));
      ++oldest_seq_;
    }
    // Every registered waiter was waiting for a seq above the old head.
    to_wake = waiters_.TakeAll();
  }
  for (Listener& wakeup : to_wake) wakeup();
  return std::move(prepared.stored);
}

uint64_t EventLog::head_seq() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return head_seq_;
}

uint64_t EventLog::oldest_seq() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return oldest_seq_;
}

std::size_t EventLog::retained_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return head_seq_ == 0 ? 0 : head_seq_ - oldest_seq_ + 1;
}

std::size_t EventLog::retained_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return retained_bytes_;
}

EventLog::ReadResult EventLog::ReadAfter(uint64_t after_seq, std::size_t max_events) const {
  ReadResult result;
  std::lock_guard<std::mutex> lock(mutex_);
  if (after_seq >= head_seq_ || max_events == 0) return result;
  uint64_t next = after_seq + 1;
  if (next < oldest_seq_) {
    wxbridge::v1::Gap& gap = result.gap.emplace();
    gap.set_first_missing_seq(next);
    gap.set_first_available_seq(oldest_seq_);
    next = oldest_seq_;
  }
  const uint64_t last = std::min<uint64_t>(head_seq_, next + max_events - 1);
  result.events.reserve(last - next + 1);
  for (uint64_t seq = next; seq <= last; ++seq) {
    result.events.push_back(ring_[seq % capacity_]);
  }
  return result;
}

uint64_t EventLog::NotifyAfter(uint64_t after_seq, Listener wakeup) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (head_seq_ > after_seq) return 0;
  return waiters_.Add(std::move(wakeup));
}

bool EventLog::CancelNotify(uint64_t id) {
  Listener dropped;  // destroyed after unlocking: its captures are the caller's
  std::lock_guard<std::mutex> lock(mutex_);
  return waiters_.Remove(id, &dropped);
}

}  // namespace wxbridge::events
