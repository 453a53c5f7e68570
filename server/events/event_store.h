// The contract of an event log, as the Subscribe path and the inbound pipeline use it,
// whatever keeps the events: the memory ring (EventLog), the SQLite store
// (sqlite_event_store.h) or, later, a networked store (NATS JetStream). Nothing here
// names a storage engine: a store is numbered events, bounds, reads and wakeups.
//
// The guarantees every implementation gives:
// - seq is assigned by Append, from 1, gap-free and strictly increasing, and never
//   reused for another event of the same log_id (a durable store continues from its
//   stored head after a restart).
// - An event is readable, counted in head_seq() and wakes readers only once it is as
//   durable as the store promises (a sync store: its transaction is on disk). So a
//   subscriber never sees an event that the store could still lose.
// - Retention drops only the oldest events, never the newest; a read from below
//   oldest_seq() gets a Gap, as from the memory ring today.
// - All members are thread-safe. Append never blocks on I/O: it is called from the
//   upstream I/O thread (docs/architecture.md, "Threads").
#ifndef WXBRIDGE_SERVER_EVENTS_EVENT_STORE_H_
#define WXBRIDGE_SERVER_EVENTS_EVENT_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "server/events/retained_event.h"
#include "wxbridge/v1/events.pb.h"

namespace wxbridge::events {

class EventStore {
 public:
  virtual ~EventStore() = default;

  // Assigns the next seq (and received_at, when unset) and the filter kind, and hands
  // the event to the store. Returns it numbered (the typed Event whole, the retained
  // wire cut to the store's max event bytes): the inbound pipeline needs the seq at
  // once, to complete calls and note accounts, even before the event is readable.
  virtual StoredEventPtr Append(wxbridge::v1::Event event) = 0;

  // Waits until every event appended before the call is readable (durable). For
  // shutdown and tests; never on the I/O thread. A no-op for the memory ring.
  virtual void Flush() = 0;

  // The identity of this log: random, made once when the log is created and kept with
  // it. A seq means something only together with it: a resume with another log_id is
  // from data that was wiped (or from a memory log that restarted).
  virtual std::string log_id() const = 0;

  virtual uint64_t head_seq() const = 0;    // newest readable seq; 0 when empty
  virtual uint64_t oldest_seq() const = 0;  // oldest retained seq; 0 when empty
  // What retention bounds: the number of retained events and the sum of their
  // RetainedBytes (the same measure for every store, so one flag means one thing).
  virtual std::size_t retained_count() const = 0;
  virtual std::size_t retained_bytes() const = 0;
  virtual uint64_t truncated_count() const = 0;  // events whose retained bytes were cut

  struct ReadResult {
    // Readable events with seq > after_seq, oldest first, at most `max_events`. Each
    // carries what Subscribe filters and sends (kind, account, seq, the wire bytes),
    // never the typed Event: a reader sends the store's bytes, it does not re-encode.
    std::vector<RetainedEventPtr> events;
    // Set when events after `after_seq` were already dropped: first_missing_seq =
    // after_seq + 1, first_available_seq = where `events` then begin.
    std::optional<wxbridge::v1::Gap> gap;
    // Not OK when the store could not read (an I/O error on a durable store; never for
    // the memory ring): `events` and `gap` are then empty, and the reader ends its stream
    // with this status rather than read again in a loop.
    absl::Status status;
  };
  // Filtering stays with the reader: every event carries its kind and account, and a
  // batch is bounded by `max_events`, so a filtered stream costs a read per batch.
  virtual ReadResult ReadAfter(uint64_t after_seq, std::size_t max_events) const = 0;

  // One-shot wakeups for readers that are caught up (EventLog explains why only those).
  // NotifyAfter registers `wakeup` to run once, on a store thread with no lock held, as
  // soon as head_seq() > after_seq. If that is already so it registers nothing and
  // returns 0, and the caller reads again: no wakeup is lost between a ReadAfter that
  // came back empty and the registration. Otherwise returns an id. `wakeup` must not
  // block. CancelNotify: true, `wakeup` will never run; false, it ran or is running.
  using Listener = std::function<void()>;
  virtual uint64_t NotifyAfter(uint64_t after_seq, Listener wakeup) = 0;
  virtual bool CancelNotify(uint64_t id) = 0;
};

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_EVENT_STORE_H_
