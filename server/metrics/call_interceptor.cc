#include "server/metrics/call_interceptor.h"

#include <chrono>

#include "grpcpp/support/interceptor.h"

namespace wxbridge::metrics {
namespace {

using grpc::experimental::InterceptionHookPoints;
using Clock = std::chrono::steady_clock;

// One per call (gRPC creates and deletes it): remembers the method and when it came.
class CallInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(CallMetrics* metrics, grpc::experimental::ServerRpcInfo* info)
      : metrics_(metrics),
        method_(metrics->MethodIndex(info->method())),
        unary_(info->type() == grpc::experimental::ServerRpcInfo::Type::UNARY),
        started_(Clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_->Record(method_, methods->GetSendStatus().error_code(), unary_,
                       Clock::now() - started_);
    }
    methods->Proceed();
  }

 private:
  CallMetrics* const metrics_;
  const std::size_t method_;
  const bool unary_;
  const Clock::time_point started_;
};

class CallInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(CallMetrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallInterceptor(metrics_, info);
  }

 private:
  CallMetrics* const metrics_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeCallInterceptorFactory(
    CallMetrics* metrics) {
  return std::make_unique<CallInterceptorFactory>(metrics);
}

}  // namespace wxbridge::metrics
