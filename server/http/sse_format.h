// The text of GET /v1/events (Server-Sent Events): each stream message as an SSE record
// whose data is the message in protobuf's JSON mapping, on one line.
#ifndef WXBRIDGE_SERVER_HTTP_SSE_FORMAT_H_
#define WXBRIDGE_SERVER_HTTP_SSE_FORMAT_H_

#include <cstdint>
#include <string>

#include "server/events/retained_event.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::http {

// How long a browser waits before reconnecting (the SSE "retry" field).
inline constexpr int kSseRetryMs = 2000;

// "retry: …", then "event: hello" with the StreamHello.
void AppendSseHello(const v1::StreamHello& hello, std::string* out);
// "event: event", "id: <seq>" and the Event, from the bytes the log retained.
void AppendSseEvent(const events::RetainedEvent& event, std::string* out);
// "event: gap" with id = the seq before the first available one, so that a reconnect
// from it does not report the same gap again.
void AppendSseGap(const v1::Gap& gap, std::string* out);
// A comment line: keeps proxies and the client's idle timers from closing a quiet stream.
void AppendSseHeartbeat(uint64_t head_seq, std::string* out);
// "event: end" with {"code","message"}: why the bridge closes the stream.
void AppendSseEnd(const std::string& error_json, std::string* out);

}  // namespace wxbridge::http

#endif  // WXBRIDGE_SERVER_HTTP_SSE_FORMAT_H_
