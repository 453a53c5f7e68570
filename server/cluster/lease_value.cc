#include "server/cluster/lease_value.h"

#include "nlohmann/json.hpp"

namespace wxbridge {

std::string EncodeLeaseValue(const LeaseValue& value) {
  nlohmann::json j = {
      {"holder", value.holder}, {"expiry_ms", value.expiry_ms}, {"term", value.term}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

absl::StatusOr<LeaseValue> DecodeLeaseValue(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return absl::InvalidArgumentError("lease value is not a JSON object");
  auto holder = j.find("holder");
  auto expiry = j.find("expiry_ms");
  auto term = j.find("term");
  if (holder == j.end() || !holder->is_string())
    return absl::InvalidArgumentError("lease value has no string \"holder\"");
  if (expiry == j.end() || !expiry->is_number_integer())
    return absl::InvalidArgumentError("lease value has no integer \"expiry_ms\"");
  if (term == j.end() || !term->is_number_unsigned())
    return absl::InvalidArgumentError("lease value has no unsigned \"term\"");
  LeaseValue value;
  value.holder = holder->get<std::string>();
  value.expiry_ms = expiry->get<int64_t>();
  value.term = term->get<uint64_t>();
  return value;
}

}  // namespace wxbridge
