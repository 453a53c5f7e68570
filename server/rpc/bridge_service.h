// wxbridge.v1.BridgeService (callback API): each command RPC is validated, handed to the
// GatewayLink as one call and finished when the call completes; Subscribe streams the
// event log; GetStatus reports the bridge's view.
#ifndef WXBRIDGE_SERVER_RPC_BRIDGE_SERVICE_H_
#define WXBRIDGE_SERVER_RPC_BRIDGE_SERVICE_H_

#include <chrono>
#include <cstddef>
#include <set>
#include <string>

#include "server/auth/token_authenticator.h"
#include "server/bridge/gateway_link.h"
#include "server/common/limits.h"
#include "server/events/event_store.h"
#include "server/protocol/request_limits.h"
#include "server/rpc/call_access.h"
#include "server/rpc/raw_message.h"
#include "server/rpc/subscribe_reactor.h"
#include "wxbridge/v1/bridge_service.grpc.pb.h"

namespace wxbridge::rpc {

struct ServiceOptions {
  // Applied when the caller sets no deadline.
  std::chrono::milliseconds default_call_timeout{30000};
  // A longer deadline (a client may ask for a year) is clamped to this.
  std::chrono::milliseconds max_call_timeout = kDefaultMaxCallTimeout;
  // What a command request may hold; a request over a limit is refused INVALID_ARGUMENT.
  protocol::RequestLimits limits;
  // Largest upstream frame; a SendImage whose frame would be larger is refused with
  // RESOURCE_EXHAUSTED before anything is sent.
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  bool embedded_simulator = false;
  std::string bridge_version;
};

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
  // `authenticator` decides who may call what (every caller may do all when it has no
  // tokens file).
  BridgeServiceImpl(bridge::GatewayLink* link, events::EventStore* log,
                    SubscriberRegistry* subscribers, const auth::TokenAuthenticator* authenticator,
                    ServiceOptions options, SubscribeOptions subscribe_options);

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
  // Authorizes the caller for `method`, parses the request, checks its account against
  // the caller's grant, validates and sends it, and finishes the RPC when the call
  // completes; `fill` copies what the completing events carry into the response.
  // `check` may refuse a parsed request before it is built into a frame.
  template <typename Request, typename Response, typename Fill, typename Check>
  grpc::ServerUnaryReactor* RunCommand(const char* method, grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request, grpc::ByteBuffer* response,
                                       Fill fill, Check check);
  template <typename Request, typename Response, typename Fill>
  grpc::ServerUnaryReactor* RunCommand(const char* method, grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request, grpc::ByteBuffer* response,
                                       Fill fill);
  // Executes `command` (or ends the RPC with its error), counted and audited either way.
  template <typename Response, typename Fill>
  grpc::ServerUnaryReactor* RunCall(grpc::CallbackServerContext* context,
                                    absl::StatusOr<protocol::Command>&& command,
                                    grpc::ByteBuffer* response, Fill fill, AuditRecord audit);
  bridge::GatewayLink::Clock::time_point CallDeadline(
      const grpc::CallbackServerContext* context) const;

  bridge::GatewayLink* const link_;
  events::EventStore* const log_;
  SubscriberRegistry* const subscribers_;
  const auth::TokenAuthenticator* const authenticator_;
  const ServiceOptions options_;
  SubscribeOptions subscribe_options_;
  RequestParser parser_;
};

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_BRIDGE_SERVICE_H_
