// The pre-serialized Subscribe bytes must be exactly what serializing the stored
// SubscribeResponse would give, for any seq and any event size.
#include "server/events/event_wire.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server/events/event_log.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::events {
namespace {

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(buffer.Dump(&slices).ok());
  std::string out;
  for (const grpc::Slice& slice : slices) {
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return out;
}

wxbridge::v1::Event TextEvent(std::size_t text_bytes) {
  wxbridge::v1::Event event;
  event.set_account("acct");
  event.set_msg_type(1);
  event.set_raw_json(std::string(text_bytes, 'j'));
  event.mutable_text()->set_text(std::string(text_bytes, 't'));
  return event;
}

TEST(EventWireTest, AppendedEventsCarryTheirCanonicalSerialization) {
  EventLog log(EventLogOptions{4});
  for (int i = 0; i < 300; ++i) {  // seqs of one and two varint bytes
    StoredEventPtr stored = log.Append(TextEvent(i));
    EXPECT_EQ(Flatten(SingleEventWire(stored->retained->wire)), stored->message.SerializeAsString())
        << "seq " << i + 1;
  }
}

TEST(EventWireTest, LargeSeqsAndLargeEventsMatchToo) {
  for (uint64_t seq : {uint64_t{1}, uint64_t{128}, uint64_t{1} << 35, ~uint64_t{0}}) {
    for (std::size_t size : {std::size_t{0}, std::size_t{200}, std::size_t{3} << 20}) {
      wxbridge::v1::SubscribeResponse expected;
      *expected.mutable_event() = TextEvent(size);
      grpc::Slice body = SerializeEventBody(expected.event());
      expected.mutable_event()->set_seq(seq);
      EXPECT_EQ(Flatten(SingleEventWire(EventWire(seq, body))), expected.SerializeAsString())
          << "seq " << seq << ", " << size << " bytes";
    }
  }
}

// What a durable store keeps (the Event with its seq) and the wire rebuilt from it, for
// length varints of one to three bytes.
TEST(EventWireTest, StoredEventBytesRoundTripToTheSameWire) {
  for (std::size_t text_bytes : {0, 50, 70, 8000, 9000, 70000}) {
    const grpc::Slice body = SerializeEventBody(TextEvent(text_bytes));
    const grpc::Slice wire = EventWire(123456, body);
    const grpc::Slice stored = EventBytesOfWire(wire);
    wxbridge::v1::Event event = TextEvent(text_bytes);
    event.set_seq(123456);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(stored.begin()), stored.size()),
              event.SerializeAsString())
        << text_bytes;
    EXPECT_EQ(WireSizeOfEventBytes(stored.size()), wire.size()) << text_bytes;
    const grpc::Slice rebuilt = WireOfEventBytes(stored.begin(), stored.size());
    EXPECT_EQ(Flatten(SingleEventWire(rebuilt)), Flatten(SingleEventWire(wire))) << text_bytes;
  }
}

TEST(EventWireTest, TheBodyIsSharedNotCopied) {
  grpc::Slice body = SerializeEventBody(TextEvent(1000));
  grpc::Slice wire = EventWire(7, body);
  // The header went into the room in front of the body: one slice, the same memory.
  EXPECT_EQ(wire.end(), body.end());
  EXPECT_GT(wire.begin(), body.begin());
}

// A batch built from stored bytes is exactly the canonical serialization of
// SubscribeResponse{batch: EventBatch{events}}, so every client parses it.
TEST(EventWireTest, BatchesAreCanonicalEventBatches) {
  EventLog log(EventLogOptions{512});
  std::vector<StoredEventPtr> stored;
  for (std::size_t size : {0, 1, 127, 128, 300, 70000, 5}) {
    stored.push_back(log.Append(TextEvent(size)));
  }
  for (std::size_t n = 1; n <= stored.size(); ++n) {
    wxbridge::v1::SubscribeResponse expected;
    std::vector<const grpc::Slice*> wires;
    for (std::size_t i = 0; i < n; ++i) {
      *expected.mutable_batch()->add_events() = stored[i]->event();
      wires.push_back(&stored[i]->retained->wire);
    }
    const std::string bytes = Flatten(BatchWire(wires));
    EXPECT_EQ(bytes, expected.SerializeAsString()) << n << " events";
    wxbridge::v1::SubscribeResponse parsed;
    ASSERT_TRUE(parsed.ParseFromString(bytes));
    ASSERT_EQ(parsed.batch().events_size(), static_cast<int>(n));
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(parsed.batch().events(i).seq(), stored[i]->event().seq());
    }
  }
}

TEST(EventWireTest, BatchesShareTheEventsBodies) {
  EventLog log(EventLogOptions{4});
  StoredEventPtr a = log.Append(TextEvent(1000));
  StoredEventPtr b = log.Append(TextEvent(2000));
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(BatchWire({&a->retained->wire, &b->retained->wire}).Dump(&slices).ok());
  ASSERT_EQ(slices.size(), 3u);  // the batch header, then each event's own slice
  EXPECT_EQ(slices[1].begin(), a->retained->wire.begin());
  EXPECT_EQ(slices[2].begin(), b->retained->wire.begin());
}

}  // namespace
}  // namespace wxbridge::events
