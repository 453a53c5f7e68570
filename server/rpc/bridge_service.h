// wxbridge.v1.BridgeService (callback API): each command RPC is validated, handed to the
// GatewayLink as one call and finished when the call completes; Subscribe streams the
// event log; GetStatus reports the bridge's view.
#ifndef WXBRIDGE_SERVER_RPC_BRIDGE_SERVICE_H_
#define WXBRIDGE_SERVER_RPC_BRIDGE_SERVICE_H_

#include <chrono>
#include <cstddef>
#include <string>

#include "server/bridge/gateway_link.h"
#include "server/common/limits.h"
#include "server/events/event_log.h"
#include "server/protocol/request_limits.h"
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

// Subscribe is a raw method: its streams write events pre-serialized by the event log
// (see StartSubscribe).
class BridgeServiceImpl final : public wxbridge::v1::BridgeService::WithRawCallbackMethod_Subscribe<
                                    wxbridge::v1::BridgeService::CallbackService> {
 public:
  BridgeServiceImpl(bridge::GatewayLink* link, events::EventLog* log,
                    SubscriberRegistry* subscribers, ServiceOptions options,
                    SubscribeOptions subscribe_options);

  grpc::ServerUnaryReactor* Login(grpc::CallbackServerContext* context,
                                  const wxbridge::v1::LoginRequest* request,
                                  wxbridge::v1::LoginResponse* response) override;
  grpc::ServerUnaryReactor* Logout(grpc::CallbackServerContext* context,
                                   const wxbridge::v1::LogoutRequest* request,
                                   wxbridge::v1::LogoutResponse* response) override;
  grpc::ServerUnaryReactor* SendText(grpc::CallbackServerContext* context,
                                     const wxbridge::v1::SendTextRequest* request,
                                     wxbridge::v1::SendTextResponse* response) override;
  grpc::ServerUnaryReactor* SendLink(grpc::CallbackServerContext* context,
                                     const wxbridge::v1::SendLinkRequest* request,
                                     wxbridge::v1::SendLinkResponse* response) override;
  grpc::ServerUnaryReactor* KickGroupMember(
      grpc::CallbackServerContext* context, const wxbridge::v1::KickGroupMemberRequest* request,
      wxbridge::v1::KickGroupMemberResponse* response) override;
  grpc::ServerUnaryReactor* GetContacts(grpc::CallbackServerContext* context,
                                        const wxbridge::v1::GetContactsRequest* request,
                                        wxbridge::v1::GetContactsResponse* response) override;
  grpc::ServerUnaryReactor* AcceptFriend(grpc::CallbackServerContext* context,
                                         const wxbridge::v1::AcceptFriendRequest* request,
                                         wxbridge::v1::AcceptFriendResponse* response) override;
  grpc::ServerUnaryReactor* InviteToGroup(grpc::CallbackServerContext* context,
                                          const wxbridge::v1::InviteToGroupRequest* request,
                                          wxbridge::v1::InviteToGroupResponse* response) override;
  grpc::ServerUnaryReactor* SendImage(grpc::CallbackServerContext* context,
                                      const wxbridge::v1::SendImageRequest* request,
                                      wxbridge::v1::SendImageResponse* response) override;
  grpc::ServerUnaryReactor* AddFriend(grpc::CallbackServerContext* context,
                                      const wxbridge::v1::AddFriendRequest* request,
                                      wxbridge::v1::AddFriendResponse* response) override;
  grpc::ServerUnaryReactor* SendRaw(grpc::CallbackServerContext* context,
                                    const wxbridge::v1::SendRawRequest* request,
                                    wxbridge::v1::SendRawResponse* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const wxbridge::v1::GetStatusRequest* request,
                                      wxbridge::v1::GetStatusResponse* response) override;

 private:
  // Validates `request`, sends it and finishes the RPC when the call completes; `fill`
  // copies what the completing events carry into the response.
  template <typename Request, typename Response, typename Fill>
  grpc::ServerUnaryReactor* RunCommand(grpc::CallbackServerContext* context, const Request* request,
                                       Response* response, Fill fill);
  // Executes `command` (or ends the RPC with its error), counted either way.
  template <typename Response, typename Fill>
  grpc::ServerUnaryReactor* RunCall(grpc::CallbackServerContext* context,
                                    absl::StatusOr<protocol::Command>&& command, Response* response,
                                    Fill fill);
  bridge::GatewayLink::Clock::time_point CallDeadline(
      const grpc::CallbackServerContext* context) const;

  bridge::GatewayLink* const link_;
  events::EventLog* const log_;
  SubscriberRegistry* const subscribers_;
  const ServiceOptions options_;
  const SubscribeOptions subscribe_options_;
};

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_BRIDGE_SERVICE_H_
