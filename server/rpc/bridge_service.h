// wxbridge.v1.BridgeService (callback API): the gRPC transport of CommandCore. Each
// command RPC is parsed from its bytes, run by the core and finished when its call
// completes; Subscribe streams the event log; GetStatus reports the bridge's view.
#ifndef WXBRIDGE_SERVER_RPC_BRIDGE_SERVICE_H_
#define WXBRIDGE_SERVER_RPC_BRIDGE_SERVICE_H_

#include <set>
#include <string>

#include "server/rpc/command_core.h"
#include "server/rpc/subscribe_reactor.h"
#include "wxbridge/v1/bridge_service.grpc.pb.h"

namespace wxbridge::rpc {

namespace internal {
using Service = wxbridge::v1::BridgeService;
// Every method raw (raw_message.h); Subscribe also writes pre-serialized events.
using RawBridgeService = Service::WithRawCallbackMethod_Login<
    Service::WithRawCallbackMethod_Logout<Service::WithRawCallbackMethod_SendText<
        Service::WithRawCallbackMethod_SendLink<Service::WithRawCallbackMethod_KickGroupMember<
            Service::WithRawCallbackMethod_GetContacts<Service::WithRawCallbackMethod_AcceptFriend<
                Service::WithRawCallbackMethod_InviteToGroup<
                    Service::WithRawCallbackMethod_SendImage<
                        Service::WithRawCallbackMethod_AddFriend<
                            Service::WithRawCallbackMethod_SendRaw<
                                Service::WithRawCallbackMethod_GetStatus<
                                    Service::WithRawCallbackMethod_Subscribe<
                                        Service::CallbackService>>>>>>>>>>>>>;
}  // namespace internal

class BridgeServiceImpl final : public internal::RawBridgeService {
 public:
  // `core` and `subscribers` outlive the service.
  BridgeServiceImpl(CommandCore* core, SubscriberRegistry* subscribers,
                    SubscribeOptions subscribe_options);

  // The names a tokens file may list under "methods".
  static std::set<std::string> MethodNames();

  grpc::ServerUnaryReactor* Login(grpc::CallbackServerContext* context,
                                  const grpc::ByteBuffer* request,
                                  grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Logout(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* SendText(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* SendLink(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* KickGroupMember(grpc::CallbackServerContext* context,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetContacts(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* AcceptFriend(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* InviteToGroup(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* SendImage(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* AddFriend(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* SendRaw(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override;

 private:
  // One command RPC of `Method`: the request parsed from its bytes, run by the core, the
  // RPC finished when the call completes (or cancelled with it).
  template <typename Method>
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context,
                                  const grpc::ByteBuffer* request, grpc::ByteBuffer* response);

  CommandCore* const core_;
  SubscriberRegistry* const subscribers_;
  SubscribeOptions subscribe_options_;
};

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_BRIDGE_SERVICE_H_
