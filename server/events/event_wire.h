// The bytes a Subscribe stream sends for one event, built once per event (not once per
// subscriber). The Event is serialized before its seq is known, outside the log's lock;
// the seq and the SubscribeResponse envelope then go into a few header bytes in front.
// Protobuf accepts fields in any order, and seq is field 1, so the result is exactly the
// canonical serialization of SubscribeResponse{event: Event{seq, ...}}.
#ifndef WXBRIDGE_SERVER_EVENTS_EVENT_WIRE_H_
#define WXBRIDGE_SERVER_EVENTS_EVENT_WIRE_H_

#include <cstdint>

#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/slice.h"
#include "wxbridge/v1/events.pb.h"

namespace wxbridge::events {

// `event` serialized into one reference-counted slice; its seq must still be 0.
grpc::Slice SerializeEventBody(const wxbridge::v1::Event& event);

// SubscribeResponse{event} on the wire: a small header (envelope tag and length, seq)
// followed by `body`, which is shared, not copied.
grpc::ByteBuffer EventWire(uint64_t seq, const grpc::Slice& body);

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_EVENT_WIRE_H_
