// Cutting an event that is too large to send: a Subscribe stream must never fail on an
// event (gRPC's send limit) and default clients must receive it (gRPC's 4 MiB receive
// limit), so an event over --max_event_bytes is delivered with its large fields cut and
// marked, never dropped. What is cut is documented at Event.truncated (events.proto).
#ifndef WXBRIDGE_SERVER_EVENTS_EVENT_TRUNCATION_H_
#define WXBRIDGE_SERVER_EVENTS_EVENT_TRUNCATION_H_

#include <cstddef>

#include "wxbridge/v1/events.pb.h"

namespace wxbridge::events {

// A copy of `*full` (which serializes to `full_bytes`, more than `max_bytes`) with its
// large fields cut until it serializes to at most `max_bytes`, truncated set and
// original_bytes = full_bytes. `*full` is the same on return (its raw_json is set aside
// while the rest is copied, so that the largest field is never copied): the bridge's own
// call matching needs all of it.
wxbridge::v1::Event TruncatedCopy(wxbridge::v1::Event* full, std::size_t full_bytes,
                                  std::size_t max_bytes);

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_EVENT_TRUNCATION_H_
