// Fuzz target for the inbound codec: any bytes from the gateway, as a text frame and as a
// binary frame, must decode to exactly one Event that serializes and parses back (so
// every string field is valid UTF-8), keeping valid text verbatim in raw_json — never a
// crash, never an exception. Both decoders see every input: the binary one is cheap, and
// a selector byte would make every kept sample a worse seed for the text decoder.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/common/utf8.h"
#include "server/protocol/frame_decoder.h"

namespace {

void CheckSurvivesWire(const wxbridge::v1::Event& event) {
  std::string bytes;
  if (!event.SerializeToString(&bytes)) std::abort();
  wxbridge::v1::Event round_trip;
  if (!round_trip.ParseFromString(bytes)) std::abort();  // invalid UTF-8 in a string
  if (event.payload_case() == wxbridge::v1::Event::PAYLOAD_NOT_SET) std::abort();
  if (wxbridge::protocol::KindOf(event) == wxbridge::v1::EVENT_KIND_UNSPECIFIED) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const wxbridge::v1::Event event = wxbridge::protocol::DecodeFrame(input);
  CheckSurvivesWire(event);
  if (wxbridge::IsValidUtf8(input) && event.raw_json() != input) std::abort();
  const wxbridge::v1::Event binary = wxbridge::protocol::DecodeBinaryFrame(input);
  CheckSurvivesWire(binary);
  if (binary.unrecognized().raw_bytes() != input) std::abort();
  return 0;
}
