// The event log: every inbound frame (and bridge state change) becomes one Event with a
// monotonically increasing seq, kept in one bounded retention ring shared by every
// subscriber. Appends come from the upstream I/O thread; reads from any gRPC thread.
// Memory is bounded by the options (count and bytes), never O(subscribers): a retained
// event costs its Subscribe bytes (at most max_event_bytes plus a few header bytes,
// stored once and shared by every stream) plus kRetainedOverhead bytes and its account;
// the ring's slots are 16 bytes each, allocated up front (1 MiB for the default count).
#ifndef WXBRIDGE_SERVER_EVENTS_EVENT_LOG_H_
#define WXBRIDGE_SERVER_EVENTS_EVENT_LOG_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "grpcpp/support/byte_buffer.h"
#include "server/events/event_store.h"
#include "server/events/event_wire.h"
#include "server/events/retained_event.h"
#include "server/events/waiter_list.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::events {

struct EventLogOptions {
  // Events retained; older ones are dropped (readers behind them get a Gap).
  std::size_t capacity = 65536;
  // Bytes retained (RetainedBytes of each event); the oldest events are dropped while
  // over it, as for capacity. The newest event is always kept.
  std::size_t retention_bytes = std::size_t{256} << 20;
  // An Event that serializes to more than this is retained and sent cut to fit, marked
  // truncated (event_truncation.h). 1 MiB: a stream message then stays far under gRPC's
  // default 4 MiB receive limit, alone or in a batch (batches stay under 1 MiB unless
  // they hold one event), and the ring holds at least retention_bytes / 1 MiB events.
  std::size_t max_event_bytes = std::size_t{1} << 20;
};

class EventLog final : public EventStore {
 public:
  explicit EventLog(EventLogOptions options = {});

  // Assigns the next seq (and received_at, when unset) and the filter kind, retains the
  // event, runs the pending wakeups (outside the lock), and returns it. Thread-safe.
  StoredEventPtr Append(wxbridge::v1::Event event) override;
  void Flush() override {}  // nothing to wait for: an appended event is readable at once
  // Random, made at construction: a restarted process has a new log (and new seqs).
  std::string log_id() const override { return log_id_; }

  uint64_t head_seq() const override;    // newest seq; 0 when empty
  uint64_t oldest_seq() const override;  // oldest retained seq; 0 when empty
  std::size_t retained_count() const override;
  std::size_t retained_bytes() const override;  // sum of RetainedBytes over the retained
  uint64_t truncated_count() const override { return truncated_count_.load(); }

  // EventStore::ReadResult: retained events after after_seq, or a Gap first.
  ReadResult ReadAfter(uint64_t after_seq, std::size_t max_events) const override;

  // Wakeups are one-shot and only for readers that are caught up. A subscriber that is
  // busy writing (or stalled behind a slow client) is not registered, so an Append costs
  // O(idle subscribers), never O(all subscribers): with 1000 streams and 100k events/s,
  // waking every stream on every event would burn the appender's time on streams that
  // have a write in flight and would only re-read the ring later anyway.
  //
  // NotifyAfter registers `wakeup` to run once, on the appending thread after the lock
  // is released, as soon as head_seq() > after_seq. If that is already so, it registers
  // nothing and returns 0: the caller reads again instead (no wakeup can be lost between
  // a ReadAfter that came back empty and the registration). Otherwise returns an id.
  // `wakeup` must not block (a subscriber only starts its next write).
  uint64_t NotifyAfter(uint64_t after_seq, Listener wakeup) override;
  // Drops a pending registration. True: `wakeup` will never run. False: it already ran
  // or is running now, so whatever it touches must stay alive by its own means (the
  // Subscribe reactor captures a weak_ptr to itself).
  bool CancelNotify(uint64_t id) override;

 private:
  const std::size_t capacity_;
  const std::size_t retention_bytes_;
  const std::size_t max_event_bytes_;
  const std::string log_id_;
  std::atomic<uint64_t> truncated_count_{0};
  mutable std::mutex mutex_;
  std::vector<RetainedEventPtr> ring_;  // ring_[seq % capacity_]
  uint64_t head_seq_ = 0;
  uint64_t oldest_seq_ = 0;
  std::size_t retained_bytes_ = 0;
  WaiterList waiters_;  // idle readers, all waiting for seq > head_seq_
};

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_EVENT_LOG_H_
