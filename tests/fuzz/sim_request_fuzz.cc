// Fuzz target for the simulator's request parser (what wxsim reads from a client): any
// text is either refused with an error text or parsed into a request with an object
// `data`; never a crash, never an exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/sim/sim_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const wxbridge::sim::ParsedFrame parsed = wxbridge::sim::ParseRequest(text, "fuzz-auth-key");
  if (parsed.error.empty() && !parsed.request.data.is_object()) std::abort();
  // The accessors the worlds use on every request.
  parsed.request.account();
  parsed.request.IntField("type");
  return 0;
}
