// How a call's status reads over HTTP: the status line and the JSON error body. The one
// place where an absl::StatusCode becomes an HTTP status.
#ifndef WXBRIDGE_SERVER_HTTP_HTTP_ERRORS_H_
#define WXBRIDGE_SERVER_HTTP_HTTP_ERRORS_H_

#include <string>

#include "absl/status/status.h"

namespace wxbridge::http {

// 400 INVALID_ARGUMENT and OUT_OF_RANGE, 401, 403, 404, 409 FAILED_PRECONDITION, ABORTED
// and ALREADY_EXISTS, 429 RESOURCE_EXHAUSTED, 499 CANCELLED, 501, 503, 504; else 500.
int HttpStatusOf(absl::StatusCode code);

// {"code": "INVALID_ARGUMENT", "message": "…"}: the gRPC code name, so a caller of both
// APIs reads one vocabulary.
std::string ErrorJson(const absl::Status& status);

}  // namespace wxbridge::http

#endif  // WXBRIDGE_SERVER_HTTP_HTTP_ERRORS_H_
