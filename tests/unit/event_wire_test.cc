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
    EXPECT_EQ(Flatten(stored->wire), stored->message.SerializeAsString()) << "seq " << i + 1;
  }
}

TEST(EventWireTest, LargeSeqsAndLargeEventsMatchToo) {
  for (uint64_t seq : {uint64_t{1}, uint64_t{128}, uint64_t{1} << 35, ~uint64_t{0}}) {
    for (std::size_t size : {std::size_t{0}, std::size_t{200}, std::size_t{3} << 20}) {
      wxbridge::v1::SubscribeResponse expected;
      *expected.mutable_event() = TextEvent(size);
      grpc::Slice body = SerializeEventBody(expected.event());
      expected.mutable_event()->set_seq(seq);
      EXPECT_EQ(Flatten(EventWire(seq, body)), expected.SerializeAsString())
          << "seq " << seq << ", " << size << " bytes";
    }
  }
}

TEST(EventWireTest, TheBodyIsSharedNotCopied) {
  grpc::Slice body = SerializeEventBody(TextEvent(1000));
  grpc::ByteBuffer wire = EventWire(7, body);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(wire.Dump(&slices).ok());
  ASSERT_EQ(slices.size(), 2u);
  EXPECT_EQ(slices[1].begin(), body.begin());
}

}  // namespace
}  // namespace wxbridge::events
