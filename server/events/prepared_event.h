// An event made ready for a log before it has a seq: its kind, account and received_at
// filled in and its Subscribe bytes serialized (cut when too large), all outside the
// log's lock, since an image event is megabytes. Under the lock, NumberEvent only writes
// the seq. Shared by the memory ring and the SQLite store, which number the same way.
#ifndef WXBRIDGE_SERVER_EVENTS_PREPARED_EVENT_H_
#define WXBRIDGE_SERVER_EVENTS_PREPARED_EVENT_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "grpcpp/support/slice.h"
#include "server/events/retained_event.h"
#include "wxbridge/v1/events.pb.h"

namespace wxbridge::events {

struct PreparedEvent {
  std::shared_ptr<StoredEvent> stored;      // the whole typed Event, seq still 0
  std::shared_ptr<RetainedEvent> retained;  // kind and account; seq and wire unset
  grpc::Slice body;                         // SerializeEventBody of the (cut) event
  bool truncated = false;                   // the retained bytes were cut to fit
};

// `event` with received_at set (when unset) and its bytes cut to `max_event_bytes`.
PreparedEvent PrepareEvent(wxbridge::v1::Event event, std::size_t max_event_bytes);

// Gives `prepared` its seq: in the typed Event, in the retained event and in its wire
// (which uses `body`'s room, so once per event). Cheap: meant to run under a lock.
void NumberEvent(uint64_t seq, PreparedEvent* prepared);

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_PREPARED_EVENT_H_
