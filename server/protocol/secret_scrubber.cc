#include "server/protocol/secret_scrubber.h"

#include <algorithm>

#include "absl/strings/str_replace.h"
#include "nlohmann/json.hpp"
#include "server/common/utf8.h"
#include "server/protocol/json_writer.h"

namespace wxbridge::protocol {
namespace {

std::string Unquoted(const std::string& quoted) { return quoted.substr(1, quoted.size() - 2); }

}  // namespace

SecretScrubber::SecretScrubber(std::string_view secret) {
  if (secret.empty()) return;
  std::vector<std::string> forms = {std::string(secret)};
  if (IsValidUtf8(secret)) {
    std::string escaped;
    AppendJsonString(&escaped, secret);  // as our frames carry it
    forms.push_back(Unquoted(escaped));
    forms.push_back(Unquoted(nlohmann::json(std::string(secret)).dump(-1, ' ', true)));
    forms.push_back(absl::StrReplaceAll(forms.back(), {{"/", "\\/"}}));
  }
  for (std::string& form : forms) {
    if (std::find(forms_.begin(), forms_.end(), form) == forms_.end()) {
      forms_.push_back(std::move(form));
    }
  }
}

std::string_view SecretScrubber::Scrub(std::string_view frame, std::string* storage) const {
  std::string_view current = frame;
  for (const std::string& form : forms_) {
    std::size_t at = current.find(form);
    if (at == std::string_view::npos) continue;
    std::string scrubbed;
    scrubbed.reserve(current.size());
    std::size_t from = 0;
    for (; at != std::string_view::npos; at = current.find(form, from)) {
      scrubbed.append(current.substr(from, at - from)).append(kMarker);
      from = at + form.size();
    }
    scrubbed.append(current.substr(from));
    *storage = std::move(scrubbed);
    current = *storage;
  }
  return current;
}

}  // namespace wxbridge::protocol
