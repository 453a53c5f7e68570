// The HTTP/JSON API and the Server-Sent Events stream over real sockets: every unary
// method answers through POST /v1/<Method> what it answers through gRPC, each error maps
// to its HTTP status and canonical code, GET /v1/events streams the hello, events in seq
// order, heartbeats and gaps and resumes by Last-Event-ID, a stalled reader slows no one,
// and tokens are enforced as on the gRPC port.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/protocol/message_decoder.h"
#include "tests/integration/bridge_harness.h"
#include "tests/support/http_test_client.h"
#include "tests/support/test_credentials.h"

namespace wxbridge::testing {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using sim::AckMode;
using sim::Simulator;
using std::chrono::steady_clock;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::size_t kMaxBodyBytes = 256 << 10;

std::string JsonOf(const Message& message) {
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return json;
}

// `json` parsed as M (protobuf's JSON mapping), or nullopt with a test failure.
template <class M>
std::optional<M> FromJson(const std::string& json) {
  M message;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in: " << json.substr(0, 2000);
  if (!status.ok()) return std::nullopt;
  return message;
}

// Clears, at any depth, the fields named in `names`: what legitimately differs between
// two otherwise identical calls (ids the bridge and the gateway stamp, seqs, times).
void ClearFields(Message* message, const std::set<std::string>& names) {
  const google::protobuf::Reflection* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (names.count(field->name()) > 0) {
      reflection->ClearField(message, field);
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          ClearFields(reflection->MutableRepeatedMessage(message, field, i), names);
        }
      } else {
        ClearFields(reflection->MutableMessage(message, field), names);
      }
    }
  }
}

// CommandAck's ids and reply_seq, and the reply events' seq, receive time, frame text and
// the gateway's message ids and times: new for every call.
const std::set<std::string> kPerCallFields = {"request_id", "cmd_id",      "reply_seq", "held",
                                              "seq",        "received_at", "raw_json",  "msg_id",
                                              "new_msg_id", "create_time"};

// `headers` plus "Content-Type: application/json" unless they name a type: the bridge
// refuses a POST without it (a browser sends a JSON type only after a CORS preflight).
HttpHeaders WithJsonType(HttpHeaders headers) {
  for (const auto& [name, value] : headers) {
    if (absl::AsciiStrToLower(name) == "content-type") return headers;
  }
  headers.emplace_back("Content-Type", "application/json");
  return headers;
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// The bridge with its HTTP port on, and a gRPC watcher of every event.
HarnessOptions WithHttp(AckMode ack_mode = AckMode::kEcho,
                        std::function<void(app::BridgeConfig&)> adjust = nullptr) {
  HarnessOptions options{ack_mode};
  options.configure_bridge = [adjust](app::BridgeConfig& config) {
    config.http.listen = "127.0.0.1:0";
    config.http.max_body_bytes = kMaxBodyBytes;
    if (adjust) adjust(config);
  };
  return options;
}

class BridgeHttpFixture {
 protected:
  explicit BridgeHttpFixture(HarnessOptions options)
      : harness_(std::move(options)), http_("127.0.0.1", harness_.bridge().http_port()) {
    EXPECT_NE(harness_.bridge().http_port(), 0);
    EXPECT_TRUE(harness_.WaitConnected());
    // The connection's first frame, its re-bind (code 100), is written just after the
    // bridge reports CONNECTED: tests that count the frames sent start after it.
    EXPECT_TRUE(harness_.sim().WaitForReceived(
        [](const std::vector<std::string>& frames) { return !frames.empty(); }, kWait));
    watcher_ = harness_.Subscribe();
  }

  v1::BridgeService::Stub& stub() { return harness_.stub(); }

  // The answer to one request; a failed connection is a test failure and status 0.
  HttpResponse Send(const std::string& method, const std::string& target,
                    const std::string& body = "", const HttpHeaders& headers = {},
                    milliseconds timeout = kWait) {
    absl::StatusOr<HttpResponse> response = http_.Request(method, target, body, headers, timeout);
    EXPECT_TRUE(response.ok()) << method << " " << target << ": " << response.status();
    return response.ok() ? *response : HttpResponse();
  }
  HttpResponse Post(const std::string& rpc, const std::string& body,
                    const HttpHeaders& headers = {}, milliseconds timeout = kWait) {
    return Send("POST", "/v1/" + rpc, body, WithJsonType(headers), timeout);
  }

  // POST /v1/<rpc> with `request` as JSON: the parsed 200 answer, checked to be printed
  // as protobuf prints it by default (lowerCamelCase names, defaults omitted).
  template <class Response>
  std::optional<Response> Call(const std::string& rpc, const Message& request,
                               const HttpHeaders& headers = {}) {
    const HttpResponse http = Post(rpc, JsonOf(request), headers);
    EXPECT_EQ(http.status, 200) << rpc << ": " << http.body;
    if (http.status != 200) return std::nullopt;
    EXPECT_THAT(http.Header("Content-Type"), StartsWith("application/json"));
    std::optional<Response> response = FromJson<Response>(http.body);
    if (response) {
      EXPECT_EQ(Trimmed(http.body), JsonOf(*response)) << rpc;
    }
    return response;
  }

  v1::SendTextRequest TextRequest(const std::string& account, const std::string& content) {
    v1::SendTextRequest request;
    request.set_account(account);
    request.set_to_user_name(bob_wxid_);
    request.set_content(content);
    return request;
  }

  // Logs `account` in through gRPC and waits for LOGGED_IN and its self contact.
  void LogIn(const std::string& account) { ASSERT_TRUE(harness_.LogIn(account, *watcher_)); }

  std::unique_ptr<SseReader> OpenEvents(const std::string& query, HttpHeaders headers = {}) {
    SseReader::Options options;
    options.headers = std::move(headers);
    return std::make_unique<SseReader>("127.0.0.1", harness_.bridge().http_port(),
                                       "/v1/events" + query, options);
  }

  BridgeHarness harness_;
  HttpTestClient http_;
  std::unique_ptr<EventStream> watcher_;
  const std::string alice_ = "alice";
  const std::string bob_ = "bob";
  const std::string alice_wxid_ = Simulator::WxIdFor("alice");
  const std::string bob_wxid_ = Simulator::WxIdFor("bob");
};

// Checks an error answer: its status, the JSON body's code, a message; returns the message.
std::string ExpectError(const HttpResponse& response, int http_status, const std::string& code) {
  EXPECT_EQ(response.status, http_status) << response.body;
  EXPECT_THAT(response.Header("Content-Type"), StartsWith("application/json"));
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object()) {
    ADD_FAILURE() << "error body is not a JSON object: " << response.body;
    return "";
  }
  EXPECT_EQ(body.value("code", ""), code) << response.body;
  const std::string message = body.value("message", "");
  EXPECT_FALSE(message.empty()) << response.body;
  return message;
}

// ---------------------------------------------------------------------------------------
// Every unary method: the HTTP answer equals the gRPC answer to the same request.

class BridgeHttpCallTest : public ::testing::TestWithParam<AckMode>, public BridgeHttpFixture {
 protected:
  BridgeHttpCallTest() : BridgeHttpFixture(WithHttp(GetParam())) {
    LogIn(alice_);
    LogIn(bob_);
  }

  // Both answers, with the per-call fields (and `more`) cleared, must be equal.
  template <class Response>
  void ExpectSame(const Response& from_grpc, const Response& from_http,
                  const std::set<std::string>& more = {}) {
    std::set<std::string> names = kPerCallFields;
    names.insert(more.begin(), more.end());
    Response grpc_answer = from_grpc, http_answer = from_http;
    ClearFields(&grpc_answer, names);
    ClearFields(&http_answer, names);
    google::protobuf::util::MessageDifferencer differencer;
    std::string report;
    differencer.ReportDifferencesToString(&report);
    EXPECT_TRUE(differencer.Compare(grpc_answer, http_answer))
        << report << "\ngRPC: " << grpc_answer.ShortDebugString()
        << "\nHTTP: " << http_answer.ShortDebugString();
  }

  // The same request through gRPC, then through HTTP; their answers compared.
  template <class Request, class Response>
  void ExpectSameAnswer(const std::string& rpc,
                        grpc::Status (v1::BridgeService::Stub::*method)(grpc::ClientContext*,
                                                                        const Request&, Response*),
                        const Request& request, const std::set<std::string>& more = {}) {
    Response from_grpc;
    const grpc::Status status = (stub().*method)(Context().get(), request, &from_grpc);
    ASSERT_TRUE(status.ok()) << rpc << ": " << status.error_message();
    std::optional<Response> from_http = Call<Response>(rpc, request);
    ASSERT_TRUE(from_http) << rpc;
    ExpectSame(from_grpc, *from_http, more);
  }
};

TEST_P(BridgeHttpCallTest, GetStatusAnswersAsOnGrpcAndAnEmptyBodyIsAnEmptyRequest) {
  // Counters and seqs move between the two calls.
  const std::set<std::string> moving = {"counters", "head_seq", "oldest_seq"};
  ExpectSameAnswer("GetStatus", &v1::BridgeService::Stub::GetStatus, v1::GetStatusRequest(),
                   moving);
  const HttpResponse empty = Post("GetStatus", "");
  ASSERT_EQ(empty.status, 200) << empty.body;
  std::optional<v1::GetStatusResponse> status = FromJson<v1::GetStatusResponse>(empty.body);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->upstream_state(), v1::UPSTREAM_STATE_CONNECTED);
  EXPECT_EQ(status->accounts_size(), 2);
  // lowerCamelCase names, enums by name.
  EXPECT_THAT(empty.body, HasSubstr("\"upstreamState\":\"UPSTREAM_STATE_CONNECTED\""));
}

TEST_P(BridgeHttpCallTest, LoginAnswersAsOnGrpcForALoggedInAccountAndAFreshOne) {
  v1::LoginRequest request;
  request.set_account(alice_);
  ExpectSameAnswer("Login", &v1::BridgeService::Stub::Login, request);

  // A fresh login walk through HTTP: the QR code, then the walk on the stream.
  request.set_account("carol");
  std::optional<v1::LoginResponse> fresh = Call<v1::LoginResponse>("Login", request);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status().status(), v1::LOGIN_STATUS_WAITING_FOR_SCAN);
  ASSERT_GE(fresh->status().qr_image().size(), 8u);
  EXPECT_EQ(fresh->status().qr_image().substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_NE(fresh->ack().request_id(), 0u);
  EXPECT_TRUE(watcher_->WaitForEvent(
      [](const v1::Event& e) { return IsLoginStatus(e, "carol", v1::LOGIN_STATUS_LOGGED_IN); }));
}

TEST_P(BridgeHttpCallTest, LogoutAnswersAsOnGrpc) {
  LogIn("carol");
  v1::LogoutRequest request;
  request.set_account("carol");
  v1::LogoutResponse from_grpc;
  const grpc::Status status = stub().Logout(Context().get(), request, &from_grpc);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // Logged in again (a new walk, after the logged-out status), then out through HTTP.
  const uint64_t after = harness_.GetStatus().head_seq();
  v1::LoginRequest login;
  login.set_account("carol");
  v1::LoginResponse login_response;
  ASSERT_TRUE(stub().Login(Context().get(), login, &login_response).ok());
  ASSERT_TRUE(watcher_->WaitForEvent([&](const v1::Event& e) {
    return e.seq() > after && IsLoginStatus(e, "carol", v1::LOGIN_STATUS_LOGGED_IN);
  }));
  std::optional<v1::LogoutResponse> from_http = Call<v1::LogoutResponse>("Logout", request);
  ASSERT_TRUE(from_http);
  EXPECT_EQ(from_http->status().status(), v1::LOGIN_STATUS_LOGGED_OUT);
  ExpectSame(from_grpc, *from_http);
}

TEST_P(BridgeHttpCallTest, SendTextAnswersAsOnGrpcAndArrives) {
  const v1::SendTextRequest request = TextRequest(alice_, "你好 over HTTP");
  ExpectSameAnswer("SendText", &v1::BridgeService::Stub::SendText, request);
  // Two texts reached bob: one per call.
  EXPECT_EQ(watcher_
                ->WaitForCount(
                    [&](const v1::SubscribeResponse& r) {
                      return r.has_event() && IsText(r.event(), bob_, "你好 over HTTP");
                    },
                    2)
                .size(),
            2u);

  // The proto field names are accepted as well as the lowerCamelCase ones.
  const HttpResponse snake = Post("SendText", absl::StrCat(R"({"account":"alice","to_user_name":")",
                                                           bob_wxid_, R"(","content":"snake"})"));
  EXPECT_EQ(snake.status, 200) << snake.body;
  // So is a JSON content type with a charset.
  const HttpResponse typed =
      Post("SendText", JsonOf(request), {{"Content-Type", "application/json; charset=utf-8"}});
  EXPECT_EQ(typed.status, 200) << typed.body;
}

TEST_P(BridgeHttpCallTest, SendLinkAnswersAsOnGrpc) {
  v1::SendLinkRequest request;
  request.set_account(alice_);
  request.set_to_user_name(bob_wxid_);
  request.set_title("一张图看懂 <wxbridge> & co");
  request.set_description("只要你说");
  request.set_url("http://example.com/a?b=1&c=2");
  request.mutable_thumbnail()->set_cdn_url("304c02");
  request.mutable_thumbnail()->set_length(3855);
  request.mutable_thumbnail()->set_height(160);
  ExpectSameAnswer("SendLink", &v1::BridgeService::Stub::SendLink, request);
}

TEST_P(BridgeHttpCallTest, SendImageAnswersAsOnGrpcWithTheBytesInBase64) {
  v1::SendImageRequest request;
  request.set_account(alice_);
  request.set_to_user_name(bob_wxid_);
  std::string image(3000, '\0');
  for (std::size_t i = 0; i < image.size(); ++i) image[i] = static_cast<char>(i * 31);
  request.set_image(image);
  ExpectSameAnswer("SendImage", &v1::BridgeService::Stub::SendImage, request);
  // Both images arrived whole.
  const auto images = watcher_->WaitForCount(
      [&](const v1::SubscribeResponse& r) {
        return r.has_event() && r.event().account() == bob_ && r.event().has_image();
      },
      2);
  ASSERT_EQ(images.size(), 2u);
  for (const auto& r : images) {
    EXPECT_EQ(r.event().image().length(), static_cast<int64_t>(image.size()));
  }
}

TEST_P(BridgeHttpCallTest, GetContactsAnswersAsOnGrpc) {
  v1::GetContactsRequest request;
  request.set_account(alice_);
  request.add_wx_ids(bob_wxid_);
  request.add_wx_ids(Simulator::SharedGroupId());
  request.add_wx_ids(Simulator::OfficialAccountId());
  ExpectSameAnswer("GetContacts", &v1::BridgeService::Stub::GetContacts, request);
}

TEST_P(BridgeHttpCallTest, AddFriendAndAcceptFriendAnswerAsOnGrpc) {
  v1::AddFriendRequest add;
  add.set_account(alice_);
  add.set_user_key(bob_wxid_);
  add.set_content("我是 Alice");
  add.set_scene(v1::ADD_FRIEND_SCENE_WECHAT_ID);
  // Each AddFriend makes a friend request with a ticket of its own; each is accepted by
  // the same route it was sent.
  const auto next_request = [&](uint64_t after) {
    return watcher_->WaitForEvent([&](const v1::Event& e) {
      return e.seq() > after && e.account() == bob_ && e.has_friend_request();
    });
  };
  const auto accept_for = [&](const v1::Event& request_event) {
    v1::AcceptFriendRequest accept;
    accept.set_account(bob_);
    accept.set_entry_name(request_event.friend_request().entry_name());
    accept.set_ticket(request_event.friend_request().ticket());
    accept.set_content(request_event.friend_request().content());
    return accept;
  };

  v1::AddFriendResponse add_grpc;
  ASSERT_TRUE(stub().AddFriend(Context().get(), add, &add_grpc).ok());
  std::optional<v1::Event> first = next_request(0);
  ASSERT_TRUE(first);
  v1::AcceptFriendResponse accept_grpc;
  const grpc::Status accepted =
      stub().AcceptFriend(Context().get(), accept_for(*first), &accept_grpc);
  ASSERT_TRUE(accepted.ok()) << accepted.error_message();

  std::optional<v1::AddFriendResponse> add_http = Call<v1::AddFriendResponse>("AddFriend", add);
  ASSERT_TRUE(add_http);
  ExpectSame(add_grpc, *add_http);
  std::optional<v1::Event> second = next_request(first->seq());
  ASSERT_TRUE(second);
  std::optional<v1::AcceptFriendResponse> accept_http =
      Call<v1::AcceptFriendResponse>("AcceptFriend", accept_for(*second));
  ASSERT_TRUE(accept_http);
  ExpectSame(accept_grpc, *accept_http);
}

TEST_P(BridgeHttpCallTest, InviteToGroupAndKickGroupMemberAnswerAsOnGrpc) {
  const std::string group = Simulator::OwnedGroupIdFor(alice_);
  v1::InviteToGroupRequest invite;
  invite.set_account(alice_);
  invite.set_group_id(group);
  invite.set_wx_id(bob_wxid_);
  v1::KickGroupMemberRequest kick;
  kick.set_account(alice_);
  kick.set_group_id(group);
  kick.set_user_id(bob_wxid_);
  const auto bob_notice = [&](v1::GroupChangeKind kind, uint64_t after) {
    return watcher_->WaitForEvent([&, kind, after](const v1::Event& e) {
      const v1::GroupChange* change = protocol::GroupChangeOf(e);
      return e.seq() > after && e.account() == bob_ && change != nullptr &&
             change->group_id() == group && change->kind() == kind;
    });
  };

  // Invite and kick through gRPC, then the same two through HTTP.
  v1::InviteToGroupResponse invite_grpc;
  ASSERT_TRUE(stub().InviteToGroup(Context().get(), invite, &invite_grpc).ok());
  auto joined = bob_notice(v1::GROUP_CHANGE_KIND_INVITED, 0);
  ASSERT_TRUE(joined);
  v1::KickGroupMemberResponse kick_grpc;
  ASSERT_TRUE(stub().KickGroupMember(Context().get(), kick, &kick_grpc).ok());
  auto removed = bob_notice(v1::GROUP_CHANGE_KIND_REMOVED, joined->seq());
  ASSERT_TRUE(removed);

  std::optional<v1::InviteToGroupResponse> invite_http =
      Call<v1::InviteToGroupResponse>("InviteToGroup", invite);
  ASSERT_TRUE(invite_http);
  ExpectSame(invite_grpc, *invite_http);
  ASSERT_TRUE(bob_notice(v1::GROUP_CHANGE_KIND_INVITED, removed->seq()));
  std::optional<v1::KickGroupMemberResponse> kick_http =
      Call<v1::KickGroupMemberResponse>("KickGroupMember", kick);
  ASSERT_TRUE(kick_http);
  ExpectSame(kick_grpc, *kick_http);
}

TEST_P(BridgeHttpCallTest, SendRawAnswersAsOnGrpc) {
  v1::SendRawRequest request;
  request.set_code(103);
  request.set_data_json(absl::StrCat(R"({"account":"alice","toUserName":")", bob_wxid_,
                                     R"(","content":"raw hello"})"));
  ExpectSameAnswer("SendRaw", &v1::BridgeService::Stub::SendRaw, request);
}

INSTANTIATE_TEST_SUITE_P(BothAckModes, BridgeHttpCallTest,
                         ::testing::Values(AckMode::kEcho, AckMode::kNone),
                         [](const ::testing::TestParamInfo<AckMode>& info) {
                           return info.param == AckMode::kEcho ? "Echo" : "NoEcho";
                         });

// ---------------------------------------------------------------------------------------
// Errors: each HTTP status a client can provoke, with the canonical code and a message.

class BridgeHttpErrorTest : public ::testing::Test, public BridgeHttpFixture {
 protected:
  BridgeHttpErrorTest() : BridgeHttpFixture(WithHttp()) {}

  // The same request through gRPC, for its code and message.
  grpc::Status SendTextOverGrpc(const v1::SendTextRequest& request) {
    v1::SendTextResponse response;
    return stub().SendText(Context().get(), request, &response);
  }
};

TEST_F(BridgeHttpErrorTest, MalformedJsonAndUnknownFieldsAre400InvalidArgument) {
  ExpectError(Post("SendText", "{\"account\": "), 400, "INVALID_ARGUMENT");
  ExpectError(Post("SendText", "[1, 2]"), 400, "INVALID_ARGUMENT");
  ExpectError(Post("SendText", R"({"account":"alice","toUserName":"x","content":"y","bogus":1})"),
              400, "INVALID_ARGUMENT");
  // A field of the wrong type.
  ExpectError(Post("SendRaw", R"({"code":"not a number"})"), 400, "INVALID_ARGUMENT");
}

TEST_F(BridgeHttpErrorTest, AnInvalidRequestIs400WithTheGrpcMessageAndNothingIsSent) {
  const std::size_t frames_before = harness_.sim().ReceivedFrames().size();
  const v1::SendTextRequest request = TextRequest("", "no account");
  const grpc::Status from_grpc = SendTextOverGrpc(request);
  ASSERT_EQ(from_grpc.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::string message =
      ExpectError(Post("SendText", JsonOf(request)), 400, "INVALID_ARGUMENT");
  EXPECT_EQ(message, from_grpc.error_message());

  v1::AddFriendRequest no_scene;
  no_scene.set_account(alice_);
  no_scene.set_user_key("someone");
  EXPECT_THAT(ExpectError(Post("AddFriend", JsonOf(no_scene)), 400, "INVALID_ARGUMENT"),
              HasSubstr("scene"));
  EXPECT_EQ(harness_.sim().ReceivedFrames().size(), frames_before);
}

TEST_F(BridgeHttpErrorTest, UnknownPathsAndMethodsAre404) {
  ExpectError(Post("NoSuchMethod", "{}"), 404, "NOT_FOUND");
  ExpectError(Send("POST", "/v2/SendText", "{}"), 404, "NOT_FOUND");
  ExpectError(Send("GET", "/no/such/page"), 404, "NOT_FOUND");
  ExpectError(Send("POST", "/v1/", "{}"), 404, "NOT_FOUND");
}

TEST_F(BridgeHttpErrorTest, AGetOnAMethodIs405AllowingPost) {
  const HttpResponse response = Send("GET", "/v1/SendText");
  EXPECT_EQ(response.status, 405) << response.body;
  EXPECT_EQ(response.Header("Allow"), "POST");
}

TEST_F(BridgeHttpErrorTest, ABodyOverTheLimitIs413ResourceExhaustedAndNothingIsSent) {
  const std::size_t frames_before = harness_.sim().ReceivedFrames().size();
  const v1::SendTextRequest request =
      TextRequest(alice_, "oversized-body " + std::string(kMaxBodyBytes, 'x'));
  ExpectError(Post("SendText", JsonOf(request)), 413, "RESOURCE_EXHAUSTED");
  EXPECT_EQ(harness_.sim().ReceivedFrames().size(), frames_before);
  // The server still answers.
  EXPECT_EQ(Post("GetStatus", "{}").status, 200);
}

TEST_F(BridgeHttpErrorTest, AnotherContentTypeIs415) {
  const HttpResponse response =
      Post("GetStatus", "{}", {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(response.status, 415) << response.body;
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << response.body;
  EXPECT_FALSE(body.value("code", "").empty());
  EXPECT_FALSE(body.value("message", "").empty());
  EXPECT_EQ(Post("GetStatus", "{}", {{"Content-Type", "text/plain"}}).status, 415);
  // No type at all is refused too: a page of another site can send that without asking.
  EXPECT_EQ(Send("POST", "/v1/GetStatus", "{}").status, 415);
}

TEST_F(BridgeHttpErrorTest, AGatewayRefusalIs409FailedPrecondition) {
  LogIn(alice_);
  LogIn(bob_);
  // Bob does not own alice's group.
  v1::KickGroupMemberRequest kick;
  kick.set_account(bob_);
  kick.set_group_id(Simulator::OwnedGroupIdFor(alice_));
  kick.set_user_id(alice_wxid_);
  EXPECT_THAT(ExpectError(Post("KickGroupMember", JsonOf(kick)), 409, "FAILED_PRECONDITION"),
              HasSubstr("code 105"));
}

TEST_F(BridgeHttpErrorTest, AnOutageIs503UnavailableAtTheRequestedDeadline) {
  const uint64_t head = harness_.GetStatus().head_seq();
  harness_.StopSimulator();
  ASSERT_TRUE(watcher_->WaitForEvent([&](const v1::Event& e) {
    return e.seq() > head && e.has_bridge_state() &&
           e.bridge_state().state() != v1::UPSTREAM_STATE_CONNECTED;
  }));
  const v1::SendTextRequest request = TextRequest(alice_, "into the void");
  const auto start = steady_clock::now();
  const HttpResponse response = Post("SendText", JsonOf(request), {{"X-Timeout-Ms", "1500"}});
  const auto took = steady_clock::now() - start;
  ExpectError(response, 503, "UNAVAILABLE");
  EXPECT_LT(took, milliseconds(4000)) << "X-Timeout-Ms was not the call's deadline";
}

TEST_F(BridgeHttpErrorTest, AGatewayThatNeverAnswersIs504AtTheRequestedDeadline) {
  LogIn(alice_);
  // A code with no completion rule of its own waits for an echoed reply; a stalled
  // gateway sends none. (A SendText would complete on write once no ack came.)
  harness_.sim().SetStalled(true);
  v1::SendRawRequest request;
  request.set_code(110);
  request.set_data_json(R"({"account":"alice"})");
  const auto start = steady_clock::now();
  const HttpResponse response = Post("SendRaw", JsonOf(request), {{"X-Timeout-Ms", "800"}});
  const auto took = steady_clock::now() - start;
  harness_.sim().SetStalled(false);
  ExpectError(response, 504, "DEADLINE_EXCEEDED");
  // The harness's default call timeout is 5 s.
  EXPECT_LT(took, milliseconds(3000)) << "X-Timeout-Ms was not the call's deadline";
}

// Pacing with a burst of one and a minute per message: the second text's turn is after
// any deadline.
TEST(BridgeHttpPacingTest, ACallRefusedByPacingIs429ResourceExhausted) {
  BridgeHarness harness(WithHttp(AckMode::kEcho, [](app::BridgeConfig& config) {
    config.pacing.mode = pacing::PaceMode::kOn;
    config.pacing.messages = pacing::PaceRate{1, std::chrono::seconds(60)};
    config.pacing.messages_burst = 1;
    config.pacing.per_chat = pacing::PaceRate{};
    config.pacing.jitter = milliseconds(0);
    config.pacing.loop_guard = 0;
  }));
  ASSERT_TRUE(harness.WaitConnected());
  auto stream = harness.Subscribe();
  ASSERT_TRUE(harness.LogIn("alice", *stream));
  HttpTestClient http("127.0.0.1", harness.bridge().http_port());
  v1::SendTextRequest request;
  request.set_account("alice");
  request.set_to_user_name("wxid_friend");
  request.set_content("first");
  absl::StatusOr<HttpResponse> first =
      http.Request("POST", "/v1/SendText", JsonOf(request), WithJsonType({}));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->status, 200) << first->body;
  request.set_content("second");
  absl::StatusOr<HttpResponse> second = http.Request("POST", "/v1/SendText", JsonOf(request),
                                                     WithJsonType({{"X-Timeout-Ms", "3000"}}));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(ExpectError(*second, 429, "RESOURCE_EXHAUSTED"), HasSubstr("next turn is in"));
}

// ---------------------------------------------------------------------------------------
// Server-Sent Events.

bool IsHelloRecord(const SseRecord& r) { return IsSseEvent(r, "hello"); }
bool IsEventRecord(const SseRecord& r) { return IsSseEvent(r, "event"); }

// The events of `records`, parsed, each checked to carry its seq as the record's id.
std::vector<v1::Event> EventsOf(const std::vector<SseRecord>& records) {
  std::vector<v1::Event> events;
  for (const SseRecord& r : records) {
    if (!IsEventRecord(r)) continue;
    std::optional<v1::Event> event = FromJson<v1::Event>(r.data);
    if (!event) continue;
    EXPECT_EQ(r.id, absl::StrCat(event->seq())) << "id: must be the event's seq";
    events.push_back(*event);
  }
  return events;
}

// A record that is the text event `text` for `account`.
SseReader::Predicate TextRecord(const std::string& account, const std::string& text) {
  return [account, text](const SseRecord& r) {
    if (!IsEventRecord(r)) return false;
    v1::Event event;
    return google::protobuf::util::JsonStringToMessage(r.data, &event).ok() &&
           IsText(event, account, text);
  };
}

class BridgeHttpEventsTest : public ::testing::Test, public BridgeHttpFixture {
 protected:
  BridgeHttpEventsTest() : BridgeHttpEventsTest(WithHttp()) {}
  explicit BridgeHttpEventsTest(HarnessOptions options) : BridgeHttpFixture(std::move(options)) {}

  // Injects a text push for `account` and waits until the gRPC watcher has it.
  v1::Event Inject(const std::string& account, const std::string& text) {
    harness_.sim().InjectFrame(TextFrame(account, text, ++msg_id_));
    auto event =
        watcher_->WaitForEvent([&](const v1::Event& e) { return IsText(e, account, text); });
    EXPECT_TRUE(event) << text;
    return event.value_or(v1::Event());
  }

  // Opens a stream and waits for its hello.
  std::unique_ptr<SseReader> Open(const std::string& query, HttpHeaders headers = {}) {
    auto reader = OpenEvents(query, std::move(headers));
    EXPECT_EQ(reader->WaitForStatus(kWait), 200) << reader->error_body();
    EXPECT_TRUE(reader->WaitFor(IsHelloRecord, kWait)) << "no hello on " << query;
    return reader;
  }

  int64_t msg_id_ = 1000;
};

TEST_F(BridgeHttpEventsTest, HelloFirstThenEventsInSeqOrderAsOnGrpc) {
  const uint64_t head_before = harness_.GetStatus().head_seq();
  auto reader = OpenEvents("");
  ASSERT_EQ(reader->WaitForStatus(kWait), 200) << reader->error_body();
  EXPECT_THAT(reader->headers()["content-type"], StartsWith("text/event-stream"));
  ASSERT_TRUE(reader->WaitFor(IsHelloRecord, kWait));

  std::vector<v1::Event> injected;
  for (int i = 0; i < 5; ++i) injected.push_back(Inject(alice_, absl::StrCat("in order ", i)));
  ASSERT_TRUE(reader->WaitFor(TextRecord(alice_, "in order 4"), kWait));

  const std::vector<SseRecord> records = reader->Records();
  ASSERT_TRUE(IsHelloRecord(records.front())) << "the hello must come first";
  std::optional<v1::StreamHello> hello = FromJson<v1::StreamHello>(records.front().data);
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->upstream_state(), v1::UPSTREAM_STATE_CONNECTED);
  EXPECT_GE(hello->head_seq(), head_before);
  EXPECT_FALSE(hello->log_id().empty());
  EXPECT_FALSE(hello->bridge_version().empty());

  const std::vector<v1::Event> events = EventsOf(records);
  ASSERT_GE(events.size(), injected.size());
  for (std::size_t i = 1; i < events.size(); ++i) {
    EXPECT_EQ(events[i].seq(), events[i - 1].seq() + 1) << "skipped or repeated a seq";
  }
  // Each injected event is the gRPC stream's event, field for field.
  std::size_t matched = 0;
  for (const v1::Event& e : events) {
    for (const v1::Event& expected : injected) {
      if (e.seq() != expected.seq()) continue;
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(e, expected))
          << e.ShortDebugString() << "\n vs gRPC " << expected.ShortDebugString();
      ++matched;
    }
  }
  EXPECT_EQ(matched, injected.size());
}

TEST_F(BridgeHttpEventsTest, AccountAndKindFiltersApplyInBothSpellings) {
  auto alice_only = Open("?accounts=alice&kinds=TEXT");
  auto alice_and_carol = Open("?accounts=alice&accounts=carol");
  auto comma_list = Open("?accounts=bob,carol&kinds=TEXT,LOGIN_STATUS");

  Inject(bob_, "for bob");
  Inject(alice_, "for alice");
  Inject("carol", "for carol");
  LogIn("carol");  // login statuses and contacts for carol
  Inject(alice_, "last");
  ASSERT_TRUE(alice_only->WaitFor(TextRecord(alice_, "last"), kWait));
  ASSERT_TRUE(alice_and_carol->WaitFor(TextRecord(alice_, "last"), kWait));
  // comma_list sees nothing of alice's: a text of carol's marks its end.
  Inject("carol", "carol last");
  ASSERT_TRUE(comma_list->WaitFor(TextRecord("carol", "carol last"), kWait));

  for (const v1::Event& e : EventsOf(alice_only->Records())) {
    EXPECT_TRUE(e.account() == alice_ || e.has_bridge_state()) << e.ShortDebugString();
    EXPECT_TRUE(e.has_text()) << e.ShortDebugString();
  }
  bool saw_carol_contact = false;
  for (const v1::Event& e : EventsOf(alice_and_carol->Records())) {
    EXPECT_TRUE(e.account() == alice_ || e.account() == "carol" || e.has_bridge_state())
        << e.ShortDebugString();
    saw_carol_contact = saw_carol_contact || (e.account() == "carol" && e.has_contact());
  }
  EXPECT_TRUE(saw_carol_contact) << "no kind filter: carol's contacts pass";
  bool saw_login = false, saw_bob = false;
  for (const v1::Event& e : EventsOf(comma_list->Records())) {
    EXPECT_TRUE(e.account() == bob_ || e.account() == "carol" || e.has_bridge_state())
        << e.ShortDebugString();
    EXPECT_TRUE(e.has_text() || e.has_login_status() || e.has_bridge_state())
        << e.ShortDebugString();
    saw_login = saw_login || e.has_login_status();
    saw_bob = saw_bob || IsText(e, bob_, "for bob");
  }
  EXPECT_TRUE(saw_login);
  EXPECT_TRUE(saw_bob);
}

TEST_F(BridgeHttpEventsTest, BadParametersAre400BeforeAnyStream) {
  ExpectError(Send("GET", "/v1/events?kinds=NO_SUCH_KIND"), 400, "INVALID_ARGUMENT");
  ExpectError(Send("GET", "/v1/events?after_seq=abc"), 400, "INVALID_ARGUMENT");
  const uint64_t head = harness_.GetStatus().head_seq();
  ExpectError(Send("GET", absl::StrCat("/v1/events?after_seq=", head + 1000)), 400, "OUT_OF_RANGE");
  // The same refusal when Last-Event-ID is what is out of range.
  ExpectError(Send("GET", "/v1/events", "", {{"Last-Event-ID", absl::StrCat(head + 1000)}}), 400,
              "OUT_OF_RANGE");
}

TEST_F(BridgeHttpEventsTest, ResumingInAnotherLogIs409FailedPrecondition) {
  const std::string log_id = harness_.GetStatus().log_id();
  ASSERT_FALSE(log_id.empty());
  const std::string message = ExpectError(Send("GET", "/v1/events?after_seq=0&log_id=not-this-log"),
                                          409, "FAILED_PRECONDITION");
  EXPECT_THAT(message, HasSubstr("not-this-log"));
  // The bridge's own log is accepted.
  auto reader = Open(absl::StrCat("?after_seq=0&log_id=", log_id));
  EXPECT_TRUE(reader->WaitFor(IsEventRecord, kWait)) << "no replay from the start";
}

TEST_F(BridgeHttpEventsTest, ResumingWithLastEventIdLosesNothingAndRepeatsNothing) {
  auto first = Open("");
  for (int i = 0; i < 3; ++i) Inject(alice_, absl::StrCat("before ", i));
  ASSERT_TRUE(first->WaitFor(TextRecord(alice_, "before 2"), kWait));
  const std::vector<SseRecord> seen = first->Records();
  std::string last_id;
  for (const SseRecord& r : seen) {
    if (IsEventRecord(r)) last_id = r.id;
  }
  ASSERT_FALSE(last_id.empty());
  first->Close();
  ASSERT_TRUE(first->WaitForEnd(kWait));

  // Missed while disconnected.
  for (int i = 0; i < 3; ++i) Inject(alice_, absl::StrCat("while away ", i));
  const uint64_t head = harness_.GetStatus().head_seq();

  // after_seq=0 would replay everything: the header must win.
  auto resumed = Open("?after_seq=0", {{"Last-Event-ID", last_id}});
  ASSERT_TRUE(resumed->WaitFor(TextRecord(alice_, "while away 2"), kWait));
  Inject(alice_, "live again");
  ASSERT_TRUE(resumed->WaitFor(TextRecord(alice_, "live again"), kWait));

  const std::vector<v1::Event> events = EventsOf(resumed->Records());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().seq(), std::stoull(last_id) + 1) << "resumed at the wrong place";
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i > 0) {
      EXPECT_EQ(events[i].seq(), events[i - 1].seq() + 1) << "skipped or repeated";
    }
    if (events[i].has_text()) texts.push_back(events[i].text().text());
  }
  EXPECT_GT(events.back().seq(), head);
  EXPECT_EQ(texts, (std::vector<std::string>{"while away 0", "while away 1", "while away 2",
                                             "live again"}));
}

TEST_F(BridgeHttpEventsTest, AQuietStreamCarriesHeartbeatComments) {
  auto reader = Open("?heartbeat_ms=100&accounts=nobody");
  const auto start = steady_clock::now();
  EXPECT_EQ(reader->WaitForCount(IsSseComment, 2, milliseconds(5000)).size(), 2u)
      << "no heartbeat comments on a quiet stream; ended: " << reader->ended() << " "
      << reader->end_reason() << " after " << reader->bytes_read() << " bytes";
  EXPECT_GE(steady_clock::now() - start, milliseconds(100)) << "heartbeats closer than asked";
  std::optional<v1::StreamHello> hello = FromJson<v1::StreamHello>(reader->Records().front().data);
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->heartbeat_interval().nanos(), 100'000'000);
}

TEST_F(BridgeHttpEventsTest, AReaderThatStopsReadingDelaysNeitherStreamsNorCalls) {
  SseReader::Options slow_options;
  slow_options.receive_buffer_bytes = 4096;
  SseReader slow("127.0.0.1", harness_.bridge().http_port(), "/v1/events", slow_options);
  ASSERT_EQ(slow.WaitForStatus(kWait), 200);
  ASSERT_TRUE(slow.WaitFor(IsHelloRecord, kWait));
  slow.Pause();
  auto fast = Open("?kinds=TEXT");

  // ~2 KB per event (text plus raw_json, twice over in JSON): megabytes, far beyond any
  // socket buffer.
  constexpr int kFrames = 2000;
  const std::string padding(1000, 'x');
  for (int i = 0; i < kFrames; ++i) {
    harness_.sim().InjectFrame(TextFrame(alice_, absl::StrCat("bulk ", i, " ", padding), i + 1));
  }
  const std::vector<SseRecord> received =
      fast->WaitForCount(IsEventRecord, kFrames, milliseconds(30000));
  ASSERT_EQ(received.size(), static_cast<std::size_t>(kFrames));
  const std::vector<v1::Event> events = EventsOf(received);
  ASSERT_EQ(events.size(), static_cast<std::size_t>(kFrames));
  for (int i = 0; i < kFrames; ++i) {
    ASSERT_THAT(events[i].text().text(), StartsWith(absl::StrCat("bulk ", i, " ")));
  }
  // A call is answered at once, while the slow reader still holds its backlog.
  const auto start = steady_clock::now();
  const HttpResponse status = Post("GetStatus", "{}");
  EXPECT_EQ(status.status, 200);
  v1::GetStatusResponse grpc_status;
  EXPECT_TRUE(stub().GetStatus(Context().get(), {}, &grpc_status).ok());
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
  EXPECT_LT(slow.bytes_read(), std::size_t{1} << 20) << "the paused reader went on reading";

  // Whatever the slow reader gets once it reads again is in order, without repeats (the
  // bridge may also have dropped it).
  slow.Resume();
  slow.WaitFor(
      [](const SseRecord& r) {
        return IsEventRecord(r) &&
               r.data.find(absl::StrCat("bulk ", kFrames - 1, " ")) != std::string::npos;
      },
      milliseconds(30000));  // ends early when the bridge dropped the stream
  const std::vector<v1::Event> late = EventsOf(slow.Records());
  for (std::size_t i = 1; i < late.size(); ++i) {
    EXPECT_GT(late[i].seq(), late[i - 1].seq());
  }
}

class BridgeHttpRetentionTest : public BridgeHttpEventsTest {
 protected:
  static constexpr std::size_t kRetention = 8;
  // No echoes: no late bind acknowledgement among the counted events.
  BridgeHttpRetentionTest()
      : BridgeHttpEventsTest(WithHttp(AckMode::kNone, [](app::BridgeConfig& config) {
          config.events.capacity = kRetention;
        })) {}
};

TEST_F(BridgeHttpRetentionTest, ResumingBehindTheWindowGetsAGapEventThenTheRetainedEvents) {
  constexpr int kFrames = 20;
  v1::Event first_injected, newest;
  for (int i = 0; i < kFrames; ++i) {
    newest = Inject(alice_, absl::StrCat("burst ", i));
    if (i == 0) first_injected = newest;
  }
  const v1::GetStatusResponse status = harness_.GetStatus();
  ASSERT_EQ(status.head_seq(), newest.seq()) << "nothing else should arrive meanwhile";
  const uint64_t oldest = status.oldest_seq();
  ASSERT_GT(oldest, first_injected.seq() + 1);

  auto reader = Open(absl::StrCat("?after_seq=", first_injected.seq()));
  ASSERT_TRUE(reader->WaitFor(TextRecord(alice_, absl::StrCat("burst ", kFrames - 1)), kWait));
  std::vector<SseRecord> records = reader->Records();
  ASSERT_GE(records.size(), 2 + kRetention);
  ASSERT_TRUE(IsHelloRecord(records[0]));
  ASSERT_TRUE(IsSseEvent(records[1], "gap")) << records[1].event << " " << records[1].data;
  EXPECT_EQ(records[1].id, absl::StrCat(oldest - 1));
  std::optional<v1::Gap> gap = FromJson<v1::Gap>(records[1].data);
  ASSERT_TRUE(gap);
  EXPECT_EQ(gap->first_missing_seq(), first_injected.seq() + 1);
  EXPECT_EQ(gap->first_available_seq(), oldest);
  EXPECT_EQ(gap->log_id(), status.log_id());
  records.erase(records.begin(), records.begin() + 2);
  const std::vector<v1::Event> events = EventsOf(records);
  ASSERT_EQ(events.size(), kRetention);
  for (std::size_t i = 0; i < kRetention; ++i) {
    EXPECT_EQ(events[i].seq(), oldest + i);
    EXPECT_EQ(events[i].text().text(), absl::StrCat("burst ", kFrames - kRetention + i));
  }

  // The same through a browser's reconnect: Last-Event-ID behind the window.
  auto by_header = Open("", {{"Last-Event-ID", absl::StrCat(first_injected.seq())}});
  ASSERT_TRUE(by_header->WaitFor([](const SseRecord& r) { return IsSseEvent(r, "gap"); }, kWait));
}

// ---------------------------------------------------------------------------------------
// Tokens: as on the gRPC port.

// "ops" may do everything; "alice-bot" may send, read and log in as alice only.
class BridgeHttpTokenTest : public ::testing::Test {
 protected:
  BridgeHttpTokenTest()
      : ops_(MakeToken("ops", {"*"}, {"*"})),
        alice_bot_(MakeToken("alice-bot", {"alice"}, {"SendText", "Subscribe", "GetStatus"})),
        tokens_file_(std::filesystem::temp_directory_path() /
                     ("wxbridge-http-tokens-" + std::to_string(::getpid()) + ".json")) {
    EXPECT_TRUE(WriteFileAtomically(tokens_file_, TokensFileJson({ops_, alice_bot_})));
    HarnessOptions options = WithHttp(AckMode::kEcho, [this](app::BridgeConfig& config) {
      config.grpc.tokens_file = tokens_file_;
    });
    options.token = ops_.secret;
    harness_ = std::make_unique<BridgeHarness>(options);
    EXPECT_TRUE(harness_->WaitConnected());
    http_ = std::make_unique<HttpTestClient>("127.0.0.1", harness_->bridge().http_port());
    watcher_ = harness_->Subscribe();
  }
  ~BridgeHttpTokenTest() override {
    watcher_.reset();
    harness_.reset();
    std::filesystem::remove(tokens_file_);
  }

  HttpResponse Post(const std::string& rpc, const std::string& body, const HttpHeaders& headers) {
    absl::StatusOr<HttpResponse> response =
        http_->Request("POST", "/v1/" + rpc, body, WithJsonType(headers));
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : HttpResponse();
  }

  std::string SendTextBody(const std::string& account, const std::string& text) {
    v1::SendTextRequest request;
    request.set_account(account);
    request.set_to_user_name(Simulator::WxIdFor("bob"));
    request.set_content(text);
    return JsonOf(request);
  }

  TestToken ops_, alice_bot_;
  std::string tokens_file_;
  std::unique_ptr<BridgeHarness> harness_;
  std::unique_ptr<HttpTestClient> http_;
  std::unique_ptr<EventStream> watcher_;
};

TEST_F(BridgeHttpTokenTest, NoKnownTokenIs401OnCallsAndOnEventsAndNoSecretIsEchoed) {
  ExpectError(Post("GetStatus", "{}", {}), 401, "UNAUTHENTICATED");
  const TestToken stranger = MakeToken("stranger", {"*"}, {"*"});
  const HttpResponse unknown = Post("GetStatus", "{}", BearerHeader(stranger.secret));
  ExpectError(unknown, 401, "UNAUTHENTICATED");
  EXPECT_THAT(unknown.body, Not(HasSubstr(stranger.secret)));
  const HttpResponse basic = Post("GetStatus", "{}", {{"Authorization", "Basic " + ops_.secret}});
  ExpectError(basic, 401, "UNAUTHENTICATED");
  EXPECT_THAT(basic.body, Not(HasSubstr(ops_.secret)));

  SseReader events("127.0.0.1", harness_->bridge().http_port(), "/v1/events");
  ASSERT_EQ(events.WaitForStatus(kWait), 401);
  ASSERT_TRUE(events.WaitForEnd(kWait));
  EXPECT_TRUE(events.Records().empty());
  const nlohmann::json body = nlohmann::json::parse(events.error_body(), nullptr, false);
  ASSERT_TRUE(body.is_object()) << events.error_body();
  EXPECT_EQ(body.value("code", ""), "UNAUTHENTICATED");

  // The full token works.
  EXPECT_EQ(Post("GetStatus", "{}", BearerHeader(ops_.secret)).status, 200);
}

TEST_F(BridgeHttpTokenTest, AScopedTokenIs403OutsideItsScopeAndWorksWithinIt) {
  ASSERT_TRUE(harness_->LogIn("alice", *watcher_));
  ASSERT_TRUE(harness_->LogIn("bob", *watcher_));
  const HttpResponse other_account =
      Post("SendText", SendTextBody("bob", "as bob"), BearerHeader(alice_bot_.secret));
  EXPECT_THAT(ExpectError(other_account, 403, "PERMISSION_DENIED"),
              HasSubstr("may not use account \"bob\""));
  EXPECT_THAT(other_account.body, Not(HasSubstr(alice_bot_.secret)));
  v1::LogoutRequest logout;
  logout.set_account("alice");
  const HttpResponse other_method = Post("Logout", JsonOf(logout), BearerHeader(alice_bot_.secret));
  EXPECT_THAT(ExpectError(other_method, 403, "PERMISSION_DENIED"),
              HasSubstr("may not call Logout"));
  EXPECT_THAT(other_method.body, Not(HasSubstr(alice_bot_.secret)));

  const HttpResponse own =
      Post("SendText", SendTextBody("alice", "as alice"), BearerHeader(alice_bot_.secret));
  EXPECT_EQ(own.status, 200) << own.body;
}

TEST_F(BridgeHttpTokenTest, AScopedTokenSeesOnlyItsAccountsEvents) {
  const uint16_t port = harness_->bridge().http_port();
  SseReader::Options scoped_options, ops_options;
  scoped_options.headers = BearerHeader(alice_bot_.secret);
  ops_options.headers = BearerHeader(ops_.secret);
  SseReader scoped("127.0.0.1", port, "/v1/events", scoped_options);
  SseReader everything("127.0.0.1", port, "/v1/events", ops_options);
  ASSERT_EQ(scoped.WaitForStatus(kWait), 200) << scoped.error_body();
  ASSERT_EQ(everything.WaitForStatus(kWait), 200) << everything.error_body();
  ASSERT_TRUE(scoped.WaitFor(IsHelloRecord, kWait));
  ASSERT_TRUE(everything.WaitFor(IsHelloRecord, kWait));

  harness_->sim().InjectFrame(TextFrame("bob", "bob's secret", 1));
  harness_->sim().InjectFrame(TextFrame("alice", "alice's", 2));
  ASSERT_TRUE(everything.WaitFor(TextRecord("bob", "bob's secret"), kWait));
  ASSERT_TRUE(everything.WaitFor(TextRecord("alice", "alice's"), kWait));
  ASSERT_TRUE(scoped.WaitFor(TextRecord("alice", "alice's"), kWait));
  for (const v1::Event& e : EventsOf(scoped.Records())) {
    EXPECT_TRUE(e.account() == "alice" || e.has_bridge_state()) << e.ShortDebugString();
  }

  // Asking for another account explicitly is refused.
  SseReader other("127.0.0.1", port, "/v1/events?accounts=bob", scoped_options);
  ASSERT_EQ(other.WaitForStatus(kWait), 403) << other.error_body();
}

TEST_F(BridgeHttpTokenTest, TheConsolePageNeedsNoToken) {
  absl::StatusOr<HttpResponse> page = http_->Request("GET", "/");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->Header("Content-Type"), StartsWith("text/html"));
}

}  // namespace
}  // namespace wxbridge::testing
