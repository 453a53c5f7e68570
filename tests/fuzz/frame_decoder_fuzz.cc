// Fuzz target for the inbound codec: any bytes from the gateway must decode to exactly
// one Event that serializes and parses back (so every string field is valid UTF-8),
// keeping valid text verbatim in raw_json — never a crash, never an exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/protocol/frame_decoder.h"
#include "server/protocol/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const wxbridge::v1::Event event = wxbridge::protocol::DecodeFrame(input);
  std::string bytes;
  if (!event.SerializeToString(&bytes)) std::abort();
  wxbridge::v1::Event round_trip;
  if (!round_trip.ParseFromString(bytes)) std::abort();  // invalid UTF-8 in a string
  if (wxbridge::protocol::IsValidUtf8(input) && event.raw_json() != input) std::abort();
  if (event.payload_case() == wxbridge::v1::Event::PAYLOAD_NOT_SET) std::abort();
  return 0;
}
