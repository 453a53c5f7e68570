// GET /v1/events' query string as a SubscribeRequest: the same filters, resume point and
// heartbeat as a gRPC Subscribe, so both are validated by one ParseSubscribeRequest.
#ifndef WXBRIDGE_SERVER_HTTP_EVENT_QUERY_H_
#define WXBRIDGE_SERVER_HTTP_EVENT_QUERY_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::http {

// `query` is what follows '?' (may be empty). Parameters, each may repeat or hold a
// comma-separated list: accounts, kinds (EventKind names, with or without EVENT_KIND_,
// any case), after_seq, heartbeat_ms, log_id. `last_event_id` (the Last-Event-ID
// header, empty when absent) overrides after_seq: a browser's reconnect resumes where
// it stopped. INVALID_ARGUMENT names a bad or unknown parameter.
absl::StatusOr<v1::SubscribeRequest> ParseEventQuery(std::string_view query,
                                                     std::string_view last_event_id);

// `text` with %XX and '+' decoded (application/x-www-form-urlencoded); nullopt-like
// error on a malformed escape.
absl::StatusOr<std::string> DecodeQueryComponent(std::string_view text);

}  // namespace wxbridge::http

#endif  // WXBRIDGE_SERVER_HTTP_EVENT_QUERY_H_
