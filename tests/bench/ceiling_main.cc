// wxbench_ceiling: the gRPC ceiling. A bare callback-API BridgeService that
// answers SendText at once with an ack the size of the bridge's, doing no other
// work; the same load against it and against wxbridge shows what the bridge
// itself costs. Prints "(port N)" on stdout once serving; stops on
// SIGTERM/SIGINT.
#include <csignal>
#include <cstdio>
#include <string>

#include "grpcpp/grpcpp.h"
#include "wxbridge/v1/bridge_service.grpc.pb.h"

namespace {

namespace v1 = ::wxbridge::v1;

class CeilingService final : public v1::BridgeService::CallbackService {
  grpc::ServerUnaryReactor *SendText(grpc::CallbackServerContext *context,
                                     const v1::SendTextRequest *request,
                                     v1::SendTextResponse *response) override {
    // Field for field what the bridge returns on an echoed ack.
    v1::CommandAck *ack = response->mutable_ack();
    ack->set_request_id(++calls_);
    ack->set_cmd_id("wxb-00000000-" + std::to_string(calls_));
    ack->set_gateway_acknowledged(true);
    ack->set_completion(v1::COMPLETION_ECHOED);
    ack->set_reply_seq(calls_);
    grpc::ServerUnaryReactor *reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  std::atomic<uint64_t> calls_{0};
};

}  // namespace

int main(int argc, char **argv) {
  const std::string listen = argc > 1 ? argv[1] : "127.0.0.1:0";
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  CeilingService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::fprintf(stderr, "wxbench_ceiling: cannot listen on %s\n", listen.c_str());
    return 1;
  }
  std::printf("wxbench_ceiling listening on %s (port %d)\n", listen.c_str(), port);
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server->Shutdown();
  return 0;
}
