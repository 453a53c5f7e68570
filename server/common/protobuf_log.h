// protobuf writes its own lines to stderr, among them one per request that holds invalid
// UTF-8, which any client can send at will. RouteProtobufLogs sends them through our
// logger instead, throttled; fatal ones always pass.
#ifndef WXBRIDGE_SERVER_COMMON_PROTOBUF_LOG_H_
#define WXBRIDGE_SERVER_COMMON_PROTOBUF_LOG_H_

namespace wxbridge {

// Process-wide; idempotent.
void RouteProtobufLogs();

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_PROTOBUF_LOG_H_
