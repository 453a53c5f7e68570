#include "server/cluster/nats_status.h"

#include "absl/strings/str_cat.h"

namespace wxbridge::cluster {

absl::Status NatsError(natsStatus status, absl::string_view what, jsErrCode js_code) {
  if (status == NATS_OK) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", natsStatus_GetText(status));
  if (js_code != 0) absl::StrAppend(&message, " (JetStream error ", static_cast<int>(js_code), ")");
  if (const char* last = nats_GetLastError(nullptr); last != nullptr && *last != '\0') {
    absl::StrAppend(&message, ": ", last);
  }
  switch (status) {
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NO_SERVER:
    case NATS_NO_RESPONDERS:
    case NATS_TIMEOUT:
    case NATS_IO_ERROR:
    case NATS_NOT_YET_CONNECTED:
      return absl::UnavailableError(message);
    case NATS_NOT_FOUND:
      return absl::NotFoundError(message);
    default:
      break;
  }
  if (js_code == JSStreamWrongLastSequenceErr || js_code == JSStreamWrongLastMsgIDErr)
    return absl::FailedPreconditionError(message);
  if (js_code == JSStreamNotFoundErr) return absl::NotFoundError(message);
  return absl::InternalError(message);
}

}  // namespace wxbridge::cluster
