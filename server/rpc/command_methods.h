// What makes each command RPC itself, whatever transport carries it: its name, request
// and response types, what its completing events fill into the response, and any check
// of a parsed request before it becomes a frame. CommandCore runs them; the gRPC service
// and the HTTP/JSON API only move bytes.
#ifndef WXBRIDGE_SERVER_RPC_COMMAND_METHODS_H_
#define WXBRIDGE_SERVER_RPC_COMMAND_METHODS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "server/calls/call_table.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::rpc {

// What a method's Check may consult.
struct CommandLimits {
  // Largest upstream frame (--max_frame_bytes).
  std::size_t max_frame_bytes = 0;
};

// Every trait has: Request, Response, kName, Fill(result, response) and
// Check(limits, request).
template <typename RequestT, typename ResponseT>
struct CommandMethodBase {
  using Request = RequestT;
  using Response = ResponseT;
  // Most methods carry nothing beyond the ack and the replies.
  static void Fill(const calls::CallResult&, Response*) {}
  static absl::Status Check(const CommandLimits&, const Request&) { return absl::OkStatus(); }
};

struct LoginMethod : CommandMethodBase<v1::LoginRequest, v1::LoginResponse> {
  static constexpr char kName[] = "Login";
  static void Fill(const calls::CallResult& result, Response* out);
};
struct LogoutMethod : CommandMethodBase<v1::LogoutRequest, v1::LogoutResponse> {
  static constexpr char kName[] = "Logout";
  static void Fill(const calls::CallResult& result, Response* out);
};
struct SendTextMethod : CommandMethodBase<v1::SendTextRequest, v1::SendTextResponse> {
  static constexpr char kName[] = "SendText";
};
struct SendLinkMethod : CommandMethodBase<v1::SendLinkRequest, v1::SendLinkResponse> {
  static constexpr char kName[] = "SendLink";
};
struct KickGroupMemberMethod
    : CommandMethodBase<v1::KickGroupMemberRequest, v1::KickGroupMemberResponse> {
  static constexpr char kName[] = "KickGroupMember";
  static void Fill(const calls::CallResult& result, Response* out);
};
struct GetContactsMethod : CommandMethodBase<v1::GetContactsRequest, v1::GetContactsResponse> {
  static constexpr char kName[] = "GetContacts";
  static void Fill(const calls::CallResult& result, Response* out);
};
struct AcceptFriendMethod : CommandMethodBase<v1::AcceptFriendRequest, v1::AcceptFriendResponse> {
  static constexpr char kName[] = "AcceptFriend";
};
struct InviteToGroupMethod
    : CommandMethodBase<v1::InviteToGroupRequest, v1::InviteToGroupResponse> {
  static constexpr char kName[] = "InviteToGroup";
  static void Fill(const calls::CallResult& result, Response* out);
};
struct SendImageMethod : CommandMethodBase<v1::SendImageRequest, v1::SendImageResponse> {
  static constexpr char kName[] = "SendImage";
  // Refused before the image is base64-encoded, which would cost more than the check.
  static absl::Status Check(const CommandLimits& limits, const Request& request);
};
struct AddFriendMethod : CommandMethodBase<v1::AddFriendRequest, v1::AddFriendResponse> {
  static constexpr char kName[] = "AddFriend";
};
struct SendRawMethod : CommandMethodBase<v1::SendRawRequest, v1::SendRawResponse> {
  static constexpr char kName[] = "SendRaw";
  static void Fill(const calls::CallResult& result, Response* out);
};

// Calls `visit(Method{})` for every command method, in the service's order.
template <typename Visit>
void ForEachCommandMethod(Visit&& visit) {
  visit(LoginMethod{});
  visit(LogoutMethod{});
  visit(SendTextMethod{});
  visit(SendLinkMethod{});
  visit(KickGroupMemberMethod{});
  visit(GetContactsMethod{});
  visit(AcceptFriendMethod{});
  visit(InviteToGroupMethod{});
  visit(SendImageMethod{});
  visit(AddFriendMethod{});
  visit(SendRawMethod{});
}

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_COMMAND_METHODS_H_
