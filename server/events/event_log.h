// The event log: every inbound frame (and bridge state change) becomes one Event with a
// monotonically increasing seq, kept in one bounded retention ring shared by every
// subscriber. Appends come from the upstream I/O thread; reads from any gRPC thread.
// Memory is O(capacity), never O(subscribers).
#ifndef WXBRIDGE_SERVER_EVENTS_EVENT_LOG_H_
#define WXBRIDGE_SERVER_EVENTS_EVENT_LOG_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "grpcpp/support/byte_buffer.h"
#include "server/events/event_wire.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::events {

// What the ring keeps of an event: what a subscriber needs to filter and send it, and
// no more (the typed Event is several small allocations, more than the bytes it sends).
// Immutable and shared by every reader.
struct RetainedEvent {
  uint64_t seq = 0;
  wxbridge::v1::EventKind kind = wxbridge::v1::EVENT_KIND_UNSPECIFIED;
  std::string account;
  // SubscribeResponse{event} as sent on a Subscribe stream (event_wire.h), serialized
  // once: every stream writes these reference-counted bytes, alone or in a batch.
  grpc::Slice wire;
};
using RetainedEventPtr = std::shared_ptr<const RetainedEvent>;

// An event as appended: the typed Event for the inbound pipeline (calls, accounts),
// which drops it once done, and what the ring retains of it.
struct StoredEvent {
  wxbridge::v1::SubscribeResponse message;  // message.event() is the Event
  RetainedEventPtr retained;
  const wxbridge::v1::Event& event() const { return message.event(); }
  wxbridge::v1::EventKind kind() const { return retained->kind; }
};
using StoredEventPtr = std::shared_ptr<const StoredEvent>;

struct EventLogOptions {
  // Events retained; older ones are dropped (readers behind them get a Gap).
  std::size_t capacity = 65536;
};

class EventLog {
 public:
  explicit EventLog(EventLogOptions options = {});

  // Assigns the next seq (and received_at, when unset) and the filter kind, retains the
  // event, runs the pending wakeups (outside the lock), and returns it. Thread-safe.
  StoredEventPtr Append(wxbridge::v1::Event event);

  uint64_t head_seq() const;    // newest seq; 0 when empty
  uint64_t oldest_seq() const;  // oldest retained seq; 0 when empty

  struct ReadResult {
    // Retained events with seq > after_seq, oldest first, at most `max_events`.
    std::vector<RetainedEventPtr> events;
    // Set when events after `after_seq` were already dropped: first_missing_seq =
    // after_seq + 1, first_available_seq = oldest_seq(), where `events` then begin.
    std::optional<wxbridge::v1::Gap> gap;
  };
  ReadResult ReadAfter(uint64_t after_seq, std::size_t max_events) const;

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
  using Listener = std::function<void()>;
  uint64_t NotifyAfter(uint64_t after_seq, Listener wakeup);
  // Drops a pending registration. True: `wakeup` will never run. False: it already ran
  // or is running now, so whatever it touches must stay alive by its own means (the
  // Subscribe reactor captures a weak_ptr to itself).
  bool CancelNotify(uint64_t id);

 private:
  struct Waiter {
    uint64_t id;
    Listener wakeup;
  };

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<RetainedEventPtr> ring_;  // ring_[seq % capacity_]
  uint64_t head_seq_ = 0;
  uint64_t oldest_seq_ = 0;
  uint64_t next_waiter_id_ = 1;
  std::vector<Waiter> waiters_;  // idle readers, all waiting for seq > head_seq_
};

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_EVENT_LOG_H_
