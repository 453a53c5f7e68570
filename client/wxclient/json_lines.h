// Protobuf messages as JSON lines: one object per line, for people and for jq.
//
// The mapping is protobuf's canonical JSON mapping: lowerCamel field names
// ("toUserName"), enums by name ("LOGIN_STATUS_LOGGED_IN"), 64-bit integers as strings,
// bytes as base64, Timestamp/Duration as RFC 3339 text / "1.5s", and fields that hold
// their default value (0, "", false, the zero enum) left out. Every gRPC JSON tool
// (buf curl, grpc-gateway, the Python and Node JSON helpers) reads and writes the same.
#ifndef WXBRIDGE_CLIENT_WXCLIENT_JSON_LINES_H_
#define WXBRIDGE_CLIENT_WXCLIENT_JSON_LINES_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace wxbridge::client {

// `message` as one line of JSON, without the newline.
absl::StatusOr<std::string> ToJsonLine(const google::protobuf::Message& message);

// Writes ToJsonLine(message) and a newline, then flushes, so that a reader at the other
// end of a pipe sees every line as soon as it is complete.
absl::Status WriteJsonLine(const google::protobuf::Message& message, std::ostream& out);

}  // namespace wxbridge::client

#endif  // WXBRIDGE_CLIENT_WXCLIENT_JSON_LINES_H_
