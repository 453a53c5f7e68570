#include "tests/unit/protocol_testdata.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace wxbridge::protocol::testing {

std::string ReadSample(std::string_view name) {
  std::ifstream file(std::string(WXBRIDGE_PROTOCOL_TESTDATA) + "/" + std::string(name),
                     std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string WithoutTrailingCommas(std::string_view json) {
  std::string strict;
  strict.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '"') {  // a string literal is copied as is
      strict.push_back(json[i++]);
      while (i < json.size() && json[i] != '"') {
        if (json[i] == '\\' && i + 1 < json.size()) strict.push_back(json[i++]);
        strict.push_back(json[i++]);
      }
      if (i < json.size()) strict.push_back(json[i]);
      continue;
    }
    if (json[i] == ',') {
      std::size_t next = i + 1;
      while (next < json.size() && std::isspace(static_cast<unsigned char>(json[next]))) {
        ++next;
      }
      if (next < json.size() && (json[next] == '}' || json[next] == ']')) continue;
    }
    strict.push_back(json[i]);
  }
  return strict;
}

nlohmann::json StrictSample(std::string_view name) {
  return nlohmann::json::parse(WithoutTrailingCommas(ReadSample(name)));
}

bool SurvivesWire(const wxbridge::v1::Event& event) {
  std::string bytes;
  wxbridge::v1::Event copy;
  return event.SerializeToString(&bytes) && copy.ParseFromString(bytes);
}

}  // namespace wxbridge::protocol::testing
