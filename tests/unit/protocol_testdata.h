// Shared by the codec tests: the gateway document's samples, stored verbatim
// under testdata/, and a strict reading of them.
#ifndef WXBRIDGE_TESTS_UNIT_PROTOCOL_TESTDATA_H_
#define WXBRIDGE_TESTS_UNIT_PROTOCOL_TESTDATA_H_

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"
#include "wxbridge/v1/events.pb.h"

namespace wxbridge::protocol::testing {

// The file's bytes, exactly as stored.
std::string ReadSample(std::string_view name);

// Removes commas that directly precede '}' or ']' outside strings (the
// document's trailing commas), so a sample can be compared as data.
std::string WithoutTrailingCommas(std::string_view json);

// The sample parsed after WithoutTrailingCommas.
nlohmann::json StrictSample(std::string_view name);

// True when every string in the event is valid UTF-8, i.e. the event survives
// the wire: it serializes and parses back.
bool SurvivesWire(const wxbridge::v1::Event& event);

}  // namespace wxbridge::protocol::testing

#endif  // WXBRIDGE_TESTS_UNIT_PROTOCOL_TESTDATA_H_
