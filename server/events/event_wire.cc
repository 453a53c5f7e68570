#include "server/events/event_wire.h"

#include <grpc/slice.h>

#include <cstddef>

namespace wxbridge::events {
namespace {

// Wire tags: SubscribeResponse.event = 2 and Event.seq = 1.
constexpr uint8_t kEnvelopeEventTag = (2 << 3) | 2;  // length-delimited
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
  const std::size_t size = event.ByteSizeLong();  // also caches the sizes used below
  grpc_slice body = grpc_slice_malloc(size);
  event.SerializeWithCachedSizesToArray(GRPC_SLICE_START_PTR(body));
  return grpc::Slice(body, grpc::Slice::STEAL_REF);
}

grpc::ByteBuffer EventWire(uint64_t seq, const grpc::Slice& body) {
  // tag + length (<= 10) + seq tag + seq (<= 10)
  uint8_t header[1 + 10 + 1 + 10];
  const std::size_t seq_field = seq == 0 ? 0 : 1 + VarintSize(seq);
  uint8_t* out = header;
  *out++ = kEnvelopeEventTag;
  out = PutVarint(seq_field + body.size(), out);
  if (seq != 0) {
    *out++ = kSeqTag;
    out = PutVarint(seq, out);
  }
  grpc::Slice slices[] = {grpc::Slice(header, static_cast<std::size_t>(out - header)), body};
  return grpc::ByteBuffer(slices, 2);
}

}  // namespace wxbridge::events
