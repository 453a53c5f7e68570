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
#include <unordered_map>
#include <vector>

#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::events {

// One retained event, immutable once appended and shared by every reader. The stream
// message is built once here, so subscribers write it without copying.
struct StoredEvent {
  wxbridge::v1::SubscribeResponse message;  // message.event() is the Event
  wxbridge::v1::EventKind kind = wxbridge::v1::EVENT_KIND_UNSPECIFIED;
  const wxbridge::v1::Event& event() const { return message.event(); }
};
using StoredEventPtr = std::shared_ptr<const StoredEvent>;

struct EventLogOptions {
  // Events retained; older ones are dropped (readers behind them get a Gap).
  std::size_t capacity = 65536;
};

class EventLog {
 public:
  explicit EventLog(EventLogOptions options = {});

  // Assigns the next seq (and received_at, when unset), stores the event, wakes every
  // listener (outside the lock), and returns it.
  StoredEventPtr Append(wxbridge::v1::Event event);

  uint64_t head_seq() const;    // newest seq; 0 when empty
  uint64_t oldest_seq() const;  // oldest retained seq; 0 when empty

  struct ReadResult {
    // Retained events with seq > after_seq, oldest first, at most `max_events`.
    std::vector<StoredEventPtr> events;
    // Set when events after `after_seq` were already dropped.
    std::optional<wxbridge::v1::Gap> gap;
  };
  ReadResult ReadAfter(uint64_t after_seq, std::size_t max_events) const;

  // A listener is called after every Append, on the appending thread; it must not
  // block (a subscriber only schedules its next write). Returns an id for removal;
  // RemoveListener guarantees the listener is not running and will not run again.
  using Listener = std::function<void()>;
  uint64_t AddListener(Listener listener);
  void RemoveListener(uint64_t id);

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<StoredEventPtr> ring_;  // ring_[seq % capacity_]
  uint64_t head_seq_ = 0;
  uint64_t oldest_seq_ = 0;

  std::mutex listeners_mutex_;  // held while listeners run: makes removal safe
  uint64_t next_listener_id_ = 1;
  std::unordered_map<uint64_t, Listener> listeners_;
};

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_EVENT_LOG_H_
