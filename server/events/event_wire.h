// The bytes a Subscribe stream sends for one event, built once per event (not once per
// subscriber). The Event is serialized before its seq is known, outside the log's lock,
// behind a few bytes of room; the seq and the SubscribeResponse envelope then go into
// that room. Protobuf accepts fields in any order, and seq is field 1, so the result is
// exactly the canonical serialization of SubscribeResponse{event: Event{seq, ...}}, in
// one slice: a batch of N events is then N + 1 slices for gRPC to pass along.
#ifndef WXBRIDGE_SERVER_EVENTS_EVENT_WIRE_H_
#define WXBRIDGE_SERVER_EVENTS_EVENT_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/slice.h"
#include "wxbridge/v1/events.pb.h"

namespace wxbridge::events {

// Room for the header: envelope tag, length (<= 10 bytes), seq tag, seq (<= 10 bytes).
inline constexpr std::size_t kEventHeaderRoom = 1 + 10 + 1 + 10;

// `event` (whose seq must still be 0) serialized into one reference-counted slice,
// after kEventHeaderRoom bytes of room.
grpc::Slice SerializeEventBody(const wxbridge::v1::Event& event);
// The same when event.ByteSizeLong() was just called (and returned `size`): the sizes it
// cached are used, not computed again.
grpc::Slice SerializeSizedEventBody(const wxbridge::v1::Event& event, std::size_t size);

// SubscribeResponse{event} with `seq`: the header is written into the room of `body`
// (from SerializeEventBody, used once), and the result shares its memory.
grpc::Slice EventWire(uint64_t seq, const grpc::Slice& body);

// The Event inside a wire from EventWire (or WireOfEventBytes): exactly the canonical
// serialization of Event{seq, ...}, which a durable store keeps. Shares `wire`'s memory.
grpc::Slice EventBytesOfWire(const grpc::Slice& wire);
// The wire for stored Event bytes (seq included): copied once, behind the envelope.
grpc::Slice WireOfEventBytes(const void* data, std::size_t size);
// The size of WireOfEventBytes for `size` Event bytes, without building it.
std::size_t WireSizeOfEventBytes(std::size_t size);

// One event's message, as gRPC writes it.
grpc::ByteBuffer SingleEventWire(const grpc::Slice& event);

// SubscribeResponse{batch: EventBatch{events}}. EventBatch.events has the field number
// of SubscribeResponse.event, so each entry is that event's stored bytes: the result is
// a few header bytes followed by every event's slice, shared. `events` is not empty.
grpc::ByteBuffer BatchWire(const std::vector<const grpc::Slice*>& events);

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_EVENT_WIRE_H_
