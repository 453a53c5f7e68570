#include "server/events/event_wire.h"

#include <grpc/slice.h>

#include <cstddef>
#include <cstring>

namespace wxbridge::events {
namespace {

// Wire tags: SubscribeResponse.event = 2 (and EventBatch.events = 2),
// SubscribeResponse.batch = 5 and Event.seq = 1.
constexpr uint8_t kEnvelopeEventTag = (2 << 3) | 2;  // length-delimited
constexpr uint8_t kEnvelopeBatchTag = (5 << 3) | 2;  // length-delimited
constexpr uint8_t kSeqTag = (1 << 3) | 0;            // varint

std::size_t VarintSize(uint64_t value) {
  std::size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

uint8_t* PutVarint(uint64_t value, uint8_t* out) {
  while (value >= 0x80) {
    *out++ = static_cast<uint8_t>(value | 0x80);
    value >>= 7;
  }
  *out++ = static_cast<uint8_t>(value);
  return out;
}

}  // namespace

grpc::Slice SerializeEventBody(const wxbridge::v1::Event& event) {
  return SerializeSizedEventBody(event, event.ByteSizeLong());  // caches the sizes
}

grpc::Slice SerializeSizedEventBody(const wxbridge::v1::Event& event, std::size_t size) {
  grpc_slice body = grpc_slice_malloc(kEventHeaderRoom + size);
  event.SerializeWithCachedSizesToArray(GRPC_SLICE_START_PTR(body) + kEventHeaderRoom);
  return grpc::Slice(body, grpc::Slice::STEAL_REF);
}

grpc::Slice EventWire(uint64_t seq, const grpc::Slice& body) {
  const std::size_t body_size = body.size() - kEventHeaderRoom;
  uint8_t header[kEventHeaderRoom];
  const std::size_t seq_field = seq == 0 ? 0 : 1 + VarintSize(seq);
  uint8_t* out = header;
  *out++ = kEnvelopeEventTag;
  out = PutVarint(seq_field + body_size, out);
  if (seq != 0) {
    *out++ = kSeqTag;
    out = PutVarint(seq, out);
  }
  const auto header_size = static_cast<std::size_t>(out - header);
  const std::size_t start = kEventHeaderRoom - header_size;
  // The room is ours alone: nothing else has seen this slice yet.
  std::memcpy(const_cast<uint8_t*>(body.begin()) + start, header, header_size);
  return body.sub(start, body.size());
}

grpc::Slice EventBytesOfWire(const grpc::Slice& wire) {
  // Skip the envelope tag and its length varint (whose last byte has no high bit).
  std::size_t start = 1;
  while (start < wire.size() && (wire.begin()[start] & 0x80) != 0) ++start;
  return wire.sub(start + 1, wire.size());
}

grpc::Slice WireOfEventBytes(const void* data, std::size_t size) {
  uint8_t header[1 + 10];
  uint8_t* out = header;
  *out++ = kEnvelopeEventTag;
  out = PutVarint(size, out);
  const auto header_size = static_cast<std::size_t>(out - header);
  grpc_slice wire = grpc_slice_malloc(header_size + size);
  std::memcpy(GRPC_SLICE_START_PTR(wire), header, header_size);
  if (size != 0) std::memcpy(GRPC_SLICE_START_PTR(wire) + header_size, data, size);
  return grpc::Slice(wire, grpc::Slice::STEAL_REF);
}

std::size_t WireSizeOfEventBytes(std::size_t size) { return 1 + VarintSize(size) + size; }

grpc::ByteBuffer SingleEventWire(const grpc::Slice& event) { return grpc::ByteBuffer(&event, 1); }

grpc::ByteBuffer BatchWire(const std::vector<const grpc::Slice*>& events) {
  std::size_t entries = 0;
  for (const grpc::Slice* event : events) entries += event->size();
  uint8_t header[1 + 10];  // tag + length
  uint8_t* out = header;
  *out++ = kEnvelopeBatchTag;
  out = PutVarint(entries, out);
  std::vector<grpc::Slice> slices;
  slices.reserve(1 + events.size());
  slices.emplace_back(header, static_cast<std::size_t>(out - header));
  for (const grpc::Slice* event : events) slices.push_back(*event);
  return grpc::ByteBuffer(slices.data(), slices.size());
}

}  // namespace wxbridge::events
