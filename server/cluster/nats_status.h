// cnats errors as absl::Status, converted in one place: the natsStatus (and the
// JetStream error code, when the server sent one) named in the message.
#ifndef WXBRIDGE_SERVER_CLUSTER_NATS_STATUS_H_
#define WXBRIDGE_SERVER_CLUSTER_NATS_STATUS_H_

#include <nats/nats.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace wxbridge::cluster {

// OK for NATS_OK; otherwise a status whose code follows the failure (UNAVAILABLE for a
// lost or refused connection and timeouts, NOT_FOUND, FAILED_PRECONDITION for a wrong
// expected sequence, INTERNAL else) and whose message starts with `what`.
absl::Status NatsError(natsStatus status, absl::string_view what, jsErrCode js_code = jsErrCode(0));

}  // namespace wxbridge::cluster

#endif  // WXBRIDGE_SERVER_CLUSTER_NATS_STATUS_H_
