#include "client/wxclient/json_lines.h"

#include "google/protobuf/util/json_util.h"

namespace wxbridge::client {

absl::StatusOr<std::string> ToJsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;                 // one line
  options.preserve_proto_field_names = false;     // lowerCamel, as buf curl prints
  options.always_print_primitive_fields = false;  // proto3 defaults left out
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) return absl::InternalError(status.message().ToString());
  return json;
}

absl::Status WriteJsonLine(const google::protobuf::Message& message, std::ostream& out) {
  absl::StatusOr<std::string> json = ToJsonLine(message);
  if (!json.ok()) return json.status();
  out << *json << '\n' << std::flush;
  if (!out) return absl::UnavailableError("cannot write to the output");
  return absl::OkStatus();
}

}  // namespace wxbridge::client
