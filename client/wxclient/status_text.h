// gRPC statuses in words, the way wxctl reports them: "ERROR: <CODE>: <message>".
#ifndef WXBRIDGE_CLIENT_WXCLIENT_STATUS_TEXT_H_
#define WXBRIDGE_CLIENT_WXCLIENT_STATUS_TEXT_H_

#include <string>

#include "client/wxclient/channel.h"
#include "grpcpp/support/status.h"

namespace wxbridge::client {

// The canonical name, e.g. "FAILED_PRECONDITION"; "CODE_<n>" for unknown numbers.
std::string StatusCodeName(grpc::StatusCode code);

// "ERROR: FAILED_PRECONDITION: the gateway rejected code 105: …" (no newline).
std::string StatusLine(const grpc::Status& status);

// What a newcomer should try next for this status, talking to a bridge through `channel`
// with a token or without (`has_token`); empty when there is nothing more to say than the
// message.
std::string StatusHint(const grpc::Status& status, const ChannelOptions& channel, bool has_token);

}  // namespace wxbridge::client

#endif  // WXBRIDGE_CLIENT_WXCLIENT_STATUS_TEXT_H_
