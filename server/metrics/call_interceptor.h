// The gRPC server interceptor that feeds CallMetrics: every call, of every service
// (BridgeService, health, reflection), is timed from its arrival to the status it sends.
// Installed only when metrics are on, so a bridge without them pays nothing.
#ifndef WXBRIDGE_SERVER_METRICS_CALL_INTERCEPTOR_H_
#define WXBRIDGE_SERVER_METRICS_CALL_INTERCEPTOR_H_

#include <memory>

#include "grpcpp/support/server_interceptor.h"
#include "server/metrics/call_metrics.h"

namespace wxbridge::metrics {

// `metrics` outlives the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeCallInterceptorFactory(
    CallMetrics* metrics);

}  // namespace wxbridge::metrics

#endif  // WXBRIDGE_SERVER_METRICS_CALL_INTERCEPTOR_H_
