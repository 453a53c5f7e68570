// The Subscribe stream: one pull-based reactor per stream over the shared event log. It
// writes a hello, then the matching events after its cursor one at a time, a Gap where
// the ring dropped events it had not read, and a Heartbeat when quiet for the stream's
// interval. A stalled client only falls behind in the ring; it never holds up the
// appender or other streams.
#ifndef WXBRIDGE_SERVER_RPC_SUBSCRIBE_REACTOR_H_
#define WXBRIDGE_SERVER_RPC_SUBSCRIBE_REACTOR_H_

#include <grpcpp/grpcpp.h>

#include "server/auth/grant.h"
#include "server/rpc/subscribe_options.h"
#include "server/rpc/subscriber_registry.h"
#include "wxbridge/v1/bridge_service.grpc.pb.h"

namespace wxbridge::rpc {

// Starts one Subscribe stream. The method is raw (the service derives from
// BridgeService::WithRawCallbackMethod_Subscribe): `request` is a serialized
// SubscribeRequest and the stream writes serialized SubscribeResponses, so an event goes
// out as the bytes the log serialized once (RetainedEvent::wire), whatever the number of
// streams. A bad request finishes it with INVALID_ARGUMENT; after registry->FinishAll it
// finishes at once with that status. `options` is read during this call only;
// `options.log` and `registry` must outlive the stream. The stream delivers only events
// of the accounts `grant` allows (plus bridge events), whatever the request's filter says.
grpc::ServerWriteReactor<grpc::ByteBuffer>* StartSubscribe(grpc::CallbackServerContext* context,
                                                           const grpc::ByteBuffer* request,
                                                           const SubscribeOptions& options,
                                                           SubscriberRegistry* registry,
                                                           const auth::Grant& grant);

// A stream that ends at once with `status` (a refused Subscribe).
grpc::ServerWriteReactor<grpc::ByteBuffer>* FinishedStream(const grpc::Status& status);

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_SUBSCRIBE_REACTOR_H_
