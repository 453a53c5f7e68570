// What a log keeps of each event, and what an append hands back: shared by every event
// store (the memory ring, the SQLite store) and by the Subscribe path that reads them.
#ifndef WXBRIDGE_SERVER_EVENTS_RETAINED_EVENT_H_
#define WXBRIDGE_SERVER_EVENTS_RETAINED_EVENT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "grpcpp/support/slice.h"
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
// which drops it once done, and what the ring retains of it. The typed Event is always
// whole, also when the retained wire is cut (Event.truncated): call matching and call
// results see everything the gateway sent. Only a call that this event answers keeps it
// longer (until the call completes).
struct StoredEvent {
  wxbridge::v1::SubscribeResponse message;  // message.event() is the whole Event
  RetainedEventPtr retained;
  const wxbridge::v1::Event& event() const { return message.event(); }
  wxbridge::v1::EventKind kind() const { return retained->kind; }
};
using StoredEventPtr = std::shared_ptr<const StoredEvent>;

// What a retained event's own memory is counted as, besides its wire bytes and account.
inline constexpr std::size_t kRetainedOverhead = 128;
// What `event` counts against a log's retention bytes (EventLogOptions::retention_bytes,
// SqliteEventStoreOptions::retention_bytes).
std::size_t RetainedBytes(const RetainedEvent& event);

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_RETAINED_EVENT_H_
