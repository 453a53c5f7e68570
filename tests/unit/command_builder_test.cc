// BuildCommand: validation and the `data` objects, checked against the
// document's own command samples.
#include "server/protocol/command_builder.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/protocol/base64.h"
#include "server/protocol/frame_encoder.h"
#include "tests/unit/protocol_testdata.h"

namespace wxbridge::protocol {
namespace {

namespace v1 = ::wxbridge::v1;
using nlohmann::json;
using ::testing::HasSubstr;

json Data(const absl::StatusOr<Command>& command) {
  EXPECT_TRUE(command.ok()) << command.status();
  return command.ok() ? json::parse(command->data_json) : json();
}

void ExpectInvalid(const absl::StatusOr<Command>& command, const std::string& message) {
  ASSERT_FALSE(command.ok());
  EXPECT_EQ(command.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(command.status().message(), message);
}

// One document sample and the request that should produce its frame.
struct SampleCase {
  const char* file;
  std::function<absl::StatusOr<Command>(const json& data)> build;
};

class DocumentSampleTest : public ::testing::TestWithParam<SampleCase> {};

// The whole frame: code, authKey and data as the sample has them (the sample's
// "msgId":0 is the unset stamp, which the encoder omits).
TEST_P(DocumentSampleTest, EncodesTheSampleFrame) {
  json expected = testing::StrictSample(GetParam().file);
  const absl::StatusOr<Command> command = GetParam().build(expected["data"]);
  ASSERT_TRUE(command.ok()) << command.status();
  if (expected.contains("msgId") && expected["msgId"] == 0) expected.erase("msgId");
  const std::string frame = EncodeFrame(*command, expected["authKey"].get<std::string>(), {});
  EXPECT_EQ(json::parse(frame), expected) << frame;
  EXPECT_EQ(command->code, expected["code"]);
}

std::string S(const json& data, const char* key) { return data.at(key).get<std::string>(); }

INSTANTIATE_TEST_SUITE_P(
    GatewayDocument, DocumentSampleTest,
    ::testing::Values(
        SampleCase{"cmd_101_login.json",
                   [](const json& d) {
                     v1::LoginRequest r;
                     r.set_account(S(d, "account"));
                     return BuildCommand(r);
                   }},
        SampleCase{"cmd_102_logout.json",
                   [](const json& d) {
                     v1::LogoutRequest r;
                     r.set_account(S(d, "account"));
                     return BuildCommand(r);
                   }},
        SampleCase{"cmd_104_send_link.json",
                   [](const json& d) {
                     v1::SendLinkRequest r;
                     r.set_account(S(d, "account"));
                     r.set_to_user_name(S(d, "toUserName"));
                     r.set_title(S(d, "title"));
                     r.set_description(S(d, "des"));
                     // The sample's url is XML-escaped, as the gateway pastes it into the
                     // card's XML: the caller gives plain text, the bridge escapes it.
                     r.set_url(absl::StrReplaceAll(S(d, "url"), {{"&amp;", "&"}}));
                     v1::LinkThumbnail* t = r.mutable_thumbnail();
                     t->set_cdn_url(S(d, "cdnthumburl"));
                     t->set_md5(S(d, "cdnthumbmd5"));
                     t->set_length(std::stoll(S(d, "cdnthumblength")));
                     t->set_height(std::stoi(S(d, "cdnthumbheight")));
                     t->set_aes_key(S(d, "cdnthumbaeskey"));
                     return BuildCommand(r);
                   }},
        SampleCase{
            "cmd_106_get_contacts.json",
            [](const json& d) {
              v1::GetContactsRequest r;
              r.set_account(S(d, "account"));
              for (const char* id : {"7244722086@chatroom", "wxid_ofgv2ps2lznx22", "qq512436430"}) {
                r.add_wx_ids(id);
              }
              return BuildCommand(r);
            }},
        SampleCase{"cmd_108_invite.json",
                   [](const json& d) {
                     v1::InviteToGroupRequest r;
                     r.set_account(S(d, "account"));
                     r.set_group_id(S(d, "groupId"));
                     r.set_wx_id(S(d, "wxId"));
                     return BuildCommand(r);
                   }},
        SampleCase{"cmd_111_add_friend.json",
                   [](const json& d) {
                     v1::AddFriendRequest r;
                     r.set_account(S(d, "account"));
                     r.set_user_key(S(d, "userKey"));
                     r.set_content(S(d, "content"));
                     r.set_scene(v1::ADD_FRIEND_SCENE_PHONE);
                     return BuildCommand(r);
                   }},
        SampleCase{"cmd_100_rebind.json",
                   [](const json&) { return absl::StatusOr<Command>(RebindCommand()); }}));

// The 103 sample's content is "", which the bridge refuses; with content the
// keys match.
TEST(CommandBuilderTest, SendTextSample) {
  json expected = testing::StrictSample("cmd_103_send_text.json")["data"];
  v1::SendTextRequest request;
  request.set_account(S(expected, "account"));
  request.set_to_user_name(S(expected, "toUserName"));
  ExpectInvalid(BuildCommand(request), "content is required");
  request.set_content("你好 \"quoted\"\n");
  expected["content"] = request.content();
  EXPECT_EQ(Data(BuildCommand(request)), expected);
}

// The 105 sample's account is "" (the document leaves it blank), which is
// refused.
TEST(CommandBuilderTest, KickSample) {
  json expected = testing::StrictSample("cmd_105_kick.json")["data"];
  v1::KickGroupMemberRequest request;
  request.set_group_id(S(expected, "groupId"));
  request.set_user_id(S(expected, "userId"));
  ExpectInvalid(BuildCommand(request), "account is required");
  request.set_account("juxiaoxiong");
  expected["account"] = "juxiaoxiong";
  const absl::StatusOr<Command> command = BuildCommand(request);
  EXPECT_EQ(Data(command), expected);
  EXPECT_EQ(command->group_id, "XXXX@chatroom");
  EXPECT_EQ(command->account, "juxiaoxiong");
}

// The 107 sample has no content key; the bridge always writes it (the text says
// so).
TEST(CommandBuilderTest, AcceptFriendSample) {
  json expected = testing::StrictSample("cmd_107_accept_friend.json")["data"];
  v1::AcceptFriendRequest request;
  request.set_account(S(expected, "account"));
  request.set_entry_name(S(expected, "entryName"));
  request.set_ticket(S(expected, "ticket"));
  expected["content"] = "";
  EXPECT_EQ(Data(BuildCommand(request)), expected);
}

// The 109 sample is JavaScript: imgBuff is new
// Buffer(piBuff).toString('base64').
TEST(CommandBuilderTest, SendImageSample) {
  const std::string image("\x89PNG\r\n\x1a\n\0\xff image bytes", 20);
  std::string sample = testing::ReadSample("cmd_109_send_image.ts");
  const std::string js = "new Buffer(piBuff).toString('base64')";
  sample.replace(sample.find(js), js.size(), "\"" + Base64Encode(image) + "\"");
  const std::size_t start = sample.find("{");
  const json expected = json::parse(testing::WithoutTrailingCommas(sample.substr(start)))["data"];

  v1::SendImageRequest request;
  request.set_account("juxiaoxiong");
  request.set_to_user_name("qq512436430");
  request.set_image(image);
  const absl::StatusOr<Command> command = BuildCommand(request);
  EXPECT_EQ(Data(command), expected);
  EXPECT_EQ(command->code, kSendImage);
  EXPECT_EQ(Base64Decode(Data(command)["imgBuff"].get<std::string>()), image);
}

TEST(CommandBuilderTest, SendLinkWithoutThumbnailWritesEmptyThumbnailKeys) {
  v1::SendLinkRequest request;
  request.set_account("a");
  request.set_to_user_name("b");
  request.set_title("t");
  request.set_url("http://u");
  const json data = Data(BuildCommand(request));
  for (const char* key : {"des", "cdnthumburl", "cdnthumbmd5", "cdnthumblength", "cdnthumbheight",
                          "cdnthumbaeskey"}) {
    EXPECT_EQ(data.at(key), "") << key;
  }
  request.mutable_thumbnail();  // set but zero: numbers are written
  EXPECT_EQ(Data(BuildCommand(request))["cdnthumblength"], "0");
}

TEST(CommandBuilderTest, SendLinkEscapesItsXmlFieldsOnce) {
  v1::SendLinkRequest request;
  request.set_account("a");
  request.set_to_user_name("b");
  request.set_title("<b> & \"c\" 'd'");
  request.set_description("x&amp;y");
  request.set_url("http://u/?a=1&b=2");
  request.mutable_thumbnail()->set_cdn_url("u<");
  const json data = Data(BuildCommand(request));
  EXPECT_EQ(data["title"], "&lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;");
  EXPECT_EQ(data["des"], "x&amp;amp;y");  // plain text in: an escape in it is text too
  EXPECT_EQ(data["url"], "http://u/?a=1&amp;b=2");
  EXPECT_EQ(data["cdnthumburl"], "u&lt;");
  EXPECT_EQ(data["account"], "a");  // ids outside the card's XML are sent as they are
}

TEST(CommandBuilderTest, FillsCorrelationFields) {
  v1::GetContactsRequest contacts;
  contacts.set_account("acc");
  contacts.add_wx_ids("b@chatroom");
  contacts.add_wx_ids("wxid_a");
  const absl::StatusOr<Command> command = BuildCommand(contacts);
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->code, kGetContacts);
  EXPECT_EQ(command->account, "acc");
  EXPECT_THAT(command->wx_ids, ::testing::ElementsAre("b@chatroom", "wxid_a"));
  EXPECT_EQ(Data(command)["wxIds"], "b@chatroom,wxid_a");

  v1::InviteToGroupRequest invite;
  invite.set_account("acc");
  invite.set_group_id("g@chatroom");
  invite.set_wx_id("wxid_b");
  EXPECT_EQ(BuildCommand(invite)->group_id, "g@chatroom");
}

TEST(CommandBuilderTest, AddFriendWritesSceneAsNumber) {
  v1::AddFriendRequest request;
  request.set_account("a");
  request.set_user_key("12345");
  request.set_scene(v1::ADD_FRIEND_SCENE_QQ);
  const json data = Data(BuildCommand(request));
  EXPECT_TRUE(data["scene"].is_number_integer());
  EXPECT_EQ(data["scene"], 1);
}

TEST(CommandBuilderValidationTest, AccountIsRequiredEverywhere) {
  ExpectInvalid(BuildCommand(v1::LoginRequest()), "account is required");
  ExpectInvalid(BuildCommand(v1::LogoutRequest()), "account is required");
  ExpectInvalid(BuildCommand(v1::SendTextRequest()), "account is required");
  ExpectInvalid(BuildCommand(v1::SendLinkRequest()), "account is required");
  ExpectInvalid(BuildCommand(v1::KickGroupMemberRequest()), "account is required");
  ExpectInvalid(BuildCommand(v1::GetContactsRequest()), "account is required");
  ExpectInvalid(BuildCommand(v1::AcceptFriendRequest()), "account is required");
  ExpectInvalid(BuildCommand(v1::InviteToGroupRequest()), "account is required");
  ExpectInvalid(BuildCommand(v1::SendImageRequest()), "account is required");
  ExpectInvalid(BuildCommand(v1::AddFriendRequest()), "account is required");
}

TEST(CommandBuilderValidationTest, NamesTheMissingField) {
  v1::SendTextRequest text;
  text.set_account("a");
  ExpectInvalid(BuildCommand(text), "to_user_name is required");

  v1::SendLinkRequest link;
  link.set_account("a");
  link.set_to_user_name("b");
  ExpectInvalid(BuildCommand(link), "title is required");
  link.set_title("t");
  ExpectInvalid(BuildCommand(link), "url is required");

  v1::KickGroupMemberRequest kick;
  kick.set_account("a");
  ExpectInvalid(BuildCommand(kick), "group_id is required");
  kick.set_group_id("g@chatroom");
  ExpectInvalid(BuildCommand(kick), "user_id is required");

  v1::AcceptFriendRequest accept;
  accept.set_account("a");
  ExpectInvalid(BuildCommand(accept), "entry_name is required");
  accept.set_entry_name("v1_x@stranger");
  ExpectInvalid(BuildCommand(accept), "ticket is required");

  v1::InviteToGroupRequest invite;
  invite.set_account("a");
  invite.set_group_id("g@chatroom");
  ExpectInvalid(BuildCommand(invite), "wx_id is required");

  v1::SendImageRequest image;
  image.set_account("a");
  ExpectInvalid(BuildCommand(image), "to_user_name is required");
  image.set_to_user_name("b");
  ExpectInvalid(BuildCommand(image), "image is empty");

  v1::AddFriendRequest add;
  add.set_account("a");
  ExpectInvalid(BuildCommand(add), "user_key is required");
}

TEST(CommandBuilderValidationTest, ChecksEveryContactId) {
  v1::GetContactsRequest request;
  request.set_account("a");
  ExpectInvalid(BuildCommand(request), "wx_ids is required");
  request.add_wx_ids("wxid_a");
  request.add_wx_ids("wxid_b,wxid_c");
  ExpectInvalid(BuildCommand(request), "wx_ids[1] contains a comma");
  request.set_wx_ids(1, "wxid_b");
  request.add_wx_ids("");
  ExpectInvalid(BuildCommand(request), "wx_ids[2] is empty");
}

TEST(CommandBuilderValidationTest, SceneMustBeADocumentedOne) {
  v1::AddFriendRequest request;
  request.set_account("a");
  request.set_user_key("k");
  const std::string message = "scene must be one of QQ, EMAIL, WECHAT_ID, PHONE";
  ExpectInvalid(BuildCommand(request), message);
  request.set_scene(static_cast<v1::AddFriendScene>(7));
  ExpectInvalid(BuildCommand(request), message);
  for (const auto scene : {v1::ADD_FRIEND_SCENE_QQ, v1::ADD_FRIEND_SCENE_EMAIL,
                           v1::ADD_FRIEND_SCENE_WECHAT_ID, v1::ADD_FRIEND_SCENE_PHONE}) {
    request.set_scene(scene);
    EXPECT_TRUE(BuildCommand(request).ok()) << scene;
  }
}

TEST(CommandBuilderValidationTest, RejectsInvalidUtf8NamingTheField) {
  v1::SendTextRequest text;
  text.set_account("a");
  text.set_to_user_name("b");
  text.set_content("bad \xFF");
  ExpectInvalid(BuildCommand(text), "content is not valid UTF-8");

  v1::SendLinkRequest link;
  link.set_account("a");
  link.set_to_user_name("b");
  link.set_title("t");
  link.set_url("u");
  link.set_description("\xC0\x80");
  ExpectInvalid(BuildCommand(link), "description is not valid UTF-8");
  link.set_description("");
  link.mutable_thumbnail()->set_md5("\xED\xA0\x80");
  ExpectInvalid(BuildCommand(link), "thumbnail.md5 is not valid UTF-8");

  v1::GetContactsRequest contacts;
  contacts.set_account("a");
  contacts.add_wx_ids("\xFF");
  ExpectInvalid(BuildCommand(contacts), "wx_ids[0] is not valid UTF-8");

  v1::LoginRequest login;
  login.set_account("\x80");
  ExpectInvalid(BuildCommand(login), "account is not valid UTF-8");
}

v1::SendRawRequest Raw(int code, std::string data_json) {
  v1::SendRawRequest request;
  request.set_code(code);
  request.set_data_json(std::move(data_json));
  return request;
}

// Send pacing counts messages per chat: every message names its recipient, typed or raw.
TEST(CommandBuilderTest, MessagesNameTheirChat) {
  v1::SendTextRequest text;
  text.set_account("acc");
  text.set_to_user_name("g@chatroom");
  text.set_content("hi");
  EXPECT_EQ(BuildCommand(text)->chat, "g@chatroom");
  v1::SendImageRequest image;
  image.set_account("acc");
  image.set_to_user_name("wxid_b");
  image.set_image("png");
  EXPECT_EQ(BuildCommand(image)->chat, "wxid_b");
  EXPECT_EQ(BuildCommand(Raw(103, R"({"account":"acc","toUserName":"wxid_c"})"))->chat, "wxid_c");
  EXPECT_EQ(BuildCommand(Raw(109, R"({"account":"acc","toUserWxId":"wxid_d"})"))->chat, "wxid_d");
}

TEST(SendRawTest, CodeMustBePositive) {
  ExpectInvalid(BuildCommand(Raw(0, "{}")), "code must be positive");
  ExpectInvalid(BuildCommand(Raw(-1, "{}")), "code must be positive");
}

TEST(SendRawTest, EmptyDataIsAnEmptyObject) {
  const absl::StatusOr<Command> command = BuildCommand(Raw(110, ""));
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->code, 110);
  EXPECT_EQ(command->data_json, "{}");
}

TEST(SendRawTest, KeepsTheCallersObjectCompactAndInOrder) {
  const absl::StatusOr<Command> command =
      BuildCommand(Raw(112, "{ \"z\" : 1,\n \"a\": [true, null, \"授权\"] }"));
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->data_json, R"({"z":1,"a":[true,null,"授权"]})");
}

TEST(SendRawTest, RejectsWhatIsNotAnObjectSayingWhere) {
  ExpectInvalid(BuildCommand(Raw(103, "[1]")), "data_json is not a JSON object but array");
  const absl::StatusOr<Command> broken = BuildCommand(Raw(103, "{\"account\":\"a\",}"));
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(broken.status().message(), HasSubstr("data_json"));
  EXPECT_THAT(broken.status().message(), HasSubstr("line 1, column 16"));
  ExpectInvalid(BuildCommand(Raw(103, "{\"a\":\"\xFF\"}")), "data_json is not valid UTF-8");
}

TEST(SendRawTest, RefusesHostileNestingWithoutCrashing) {
  const absl::StatusOr<Command> command =
      BuildCommand(Raw(103, "{\"a\":" + std::string(100000, '[')));
  ASSERT_FALSE(command.ok());
  EXPECT_THAT(command.status().message(), HasSubstr("deeper than"));
}

TEST(SendRawTest, PicksUpCorrelationFields) {
  const absl::StatusOr<Command> command = BuildCommand(
      Raw(106, R"({"account":1503579784924,"groupId":"g@chatroom","wxIds":"a, b,,c"})"));
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->account, "1503579784924");
  EXPECT_EQ(command->group_id, "g@chatroom");
  EXPECT_THAT(command->wx_ids, ::testing::ElementsAre("a", "b", "c"));

  const absl::StatusOr<Command> bare = BuildCommand(Raw(999, R"({"x":1})"));
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->account, "");
  EXPECT_TRUE(bare->wx_ids.empty());
}

TEST(SendRawTest, RefusesTheBridgesOwnReBind) {
  const absl::StatusOr<Command> command = BuildCommand(Raw(100, "{}"));
  ASSERT_FALSE(command.ok());
  EXPECT_EQ(command.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(command.status().message(), HasSubstr("code 100"));
  EXPECT_THAT(command.status().message(), HasSubstr("re-bind"));
}

// {"k0":0,"k1":1,…}
std::string ObjectWithKeys(std::size_t keys) {
  std::string json = "{";
  for (std::size_t i = 0; i < keys; ++i) {
    absl::StrAppend(&json, i == 0 ? "" : ",", "\"k", i, "\":", i);
  }
  return json + "}";
}

TEST(SendRawTest, AHundredThousandKeysAreRefusedNamingTheLimit) {
  const absl::StatusOr<Command> command = BuildCommand(Raw(110, ObjectWithKeys(100000)));
  ASSERT_FALSE(command.ok());
  EXPECT_EQ(command.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(command.status().message(), HasSubstr("data_json"));
  EXPECT_THAT(command.status().message(),
              HasSubstr(absl::StrCat(RequestLimits{}.max_data_json_keys)));
  EXPECT_THAT(command.status().message(), HasSubstr("--max_data_json_keys"));
}

TEST(SendRawTest, AHundredThousandKeysWithinARaisedLimitKeepTheirOrder) {
  RequestLimits limits;
  limits.max_data_json_keys = 100000;
  // Reversed, so an ordering by key would show.
  std::string json = "{";
  for (int i = 99999; i >= 0; --i) {
    absl::StrAppend(&json, i == 99999 ? "" : ", ", "\"k", i, "\": ", i);
  }
  json += "}";
  const absl::StatusOr<Command> command = BuildCommand(Raw(110, json), limits);
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->data_json.rfind("{\"k99999\":99999,\"k99998\":99998,", 0), 0u);
  EXPECT_TRUE(absl::EndsWith(command->data_json, ",\"k1\":1,\"k0\":0}"));
}

TEST(SendRawTest, CompactsEveryKindOfValueAsBefore) {
  const absl::StatusOr<Command> command = BuildCommand(
      Raw(112, R"({ "s": "a\"b\n\u0001\u00e9", "f": 1.5, "n": -3, "u": 18446744073709551615,)"
               R"( "e": [], "o": {}, "a": [ {"y": 2, "x": [1, [2]]}, false ], "z": null })"));
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->data_json,
            "{\"s\":\"a\\\"b\\n\\u0001\xC3\xA9\",\"f\":1.5,\"n\":-3,"
            "\"u\":18446744073709551615,\"e\":[],\"o\":{},"
            "\"a\":[{\"y\":2,\"x\":[1,[2]]},false],\"z\":null}");
}

TEST(SendRawTest, DataJsonIsBoundedInBytesAndNesting) {
  RequestLimits limits;
  limits.max_data_json_bytes = 16;
  ExpectInvalid(BuildCommand(Raw(110, R"({"a":"0123456789"})"), limits),
                "data_json is 18 bytes, over the limit of 16 bytes (--max_data_json_bytes)");
  limits = RequestLimits{};
  limits.max_data_json_depth = 2;
  const absl::StatusOr<Command> deep = BuildCommand(Raw(110, R"({"a":{"b":{}}})"), limits);
  ASSERT_FALSE(deep.ok());
  EXPECT_THAT(deep.status().message(), HasSubstr("deeper than 2"));
  EXPECT_THAT(deep.status().message(), HasSubstr("--max_data_json_depth"));
  EXPECT_TRUE(BuildCommand(Raw(110, R"({"a":{"b":1}})"), limits).ok());
}

TEST(SendRawTest, ARawContactLookUpIsBoundedInIds) {
  RequestLimits limits;
  limits.max_wx_ids = 2;
  const absl::StatusOr<Command> command =
      BuildCommand(Raw(106, R"({"account":"a","wxIds":"x,y,z"})"), limits);
  ASSERT_FALSE(command.ok());
  EXPECT_EQ(command.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(command.status().message(), HasSubstr("data_json.wxIds"));
  EXPECT_THAT(command.status().message(), HasSubstr("more than 2 ids, the limit (--max_wx_ids)"));
  EXPECT_TRUE(BuildCommand(Raw(106, R"({"account":"a","wxIds":["x","y"]})"), limits).ok());
}

TEST(FieldLimitsTest, GetContactsIsBoundedInIds) {
  v1::GetContactsRequest request;
  request.set_account("a");
  for (int i = 0; i < 1001; ++i) request.add_wx_ids(absl::StrCat("wxid_", i));
  ExpectInvalid(BuildCommand(request),
                "wx_ids has 1001 entries, over the limit of 1000 (--max_wx_ids)");
  request.mutable_wx_ids()->RemoveLast();
  EXPECT_TRUE(BuildCommand(request).ok());
}

// Every string field of every request, one at a time just over its limit.
TEST(FieldLimitsTest, EveryStringFieldIsBoundedNamingTheFieldAndTheLimit) {
  RequestLimits limits;
  limits.max_id_bytes = 8;
  limits.max_text_bytes = 16;
  const std::string long_id(9, 'i');
  const std::string long_text(17, 't');
  const std::string id_limit = "over the limit of 8 bytes (--max_id_bytes)";
  const std::string text_limit = "over the limit of 16 bytes (--max_text_bytes)";
  struct Case {
    std::string field;
    std::function<absl::StatusOr<Command>()> build;
    bool text;
  };
  const auto link = [&](const std::function<void(v1::SendLinkRequest&)>& set) {
    v1::SendLinkRequest r;
    r.set_account("a");
    r.set_to_user_name("b");
    r.set_title("t");
    r.set_url("u");
    set(r);
    return BuildCommand(r, limits);
  };
  const std::vector<Case> cases = {
      {"account",
       [&] {
         v1::LoginRequest r;
         r.set_account(long_id);
         return BuildCommand(r, limits);
       },
       false},
      {"account",
       [&] {
         v1::LogoutRequest r;
         r.set_account(long_id);
         return BuildCommand(r, limits);
       },
       false},
      {"to_user_name",
       [&] {
         v1::SendTextRequest r;
         r.set_account("a");
         r.set_to_user_name(long_id);
         r.set_content("c");
         return BuildCommand(r, limits);
       },
       false},
      {"content",
       [&] {
         v1::SendTextRequest r;
         r.set_account("a");
         r.set_to_user_name("b");
         r.set_content(long_text);
         return BuildCommand(r, limits);
       },
       true},
      {"title", [&] { return link([&](auto& r) { r.set_title(long_text); }); }, true},
      {"description", [&] { return link([&](auto& r) { r.set_description(long_text); }); }, true},
      {"url", [&] { return link([&](auto& r) { r.set_url(long_text); }); }, true},
      {"thumbnail.cdn_url",
       [&] { return link([&](auto& r) { r.mutable_thumbnail()->set_cdn_url(long_text); }); }, true},
      {"thumbnail.md5",
       [&] { return link([&](auto& r) { r.mutable_thumbnail()->set_md5(long_id); }); }, false},
      {"thumbnail.aes_key",
       [&] { return link([&](auto& r) { r.mutable_thumbnail()->set_aes_key(long_id); }); }, false},
      {"user_id",
       [&] {
         v1::KickGroupMemberRequest r;
         r.set_account("a");
         r.set_group_id("g");
         r.set_user_id(long_id);
         return BuildCommand(r, limits);
       },
       false},
      {"wx_ids[1]",
       [&] {
         v1::GetContactsRequest r;
         r.set_account("a");
         r.add_wx_ids("x");
         r.add_wx_ids(long_id);
         return BuildCommand(r, limits);
       },
       false},
      {"ticket",
       [&] {
         v1::AcceptFriendRequest r;
         r.set_account("a");
         r.set_entry_name("e");
         r.set_ticket(long_id);
         return BuildCommand(r, limits);
       },
       false},
      {"content",
       [&] {
         v1::AcceptFriendRequest r;
         r.set_account("a");
         r.set_entry_name("e");
         r.set_ticket("t");
         r.set_content(long_text);
         return BuildCommand(r, limits);
       },
       true},
      {"group_id",
       [&] {
         v1::InviteToGroupRequest r;
         r.set_account("a");
         r.set_group_id(long_id);
         r.set_wx_id("w");
         return BuildCommand(r, limits);
       },
       false},
      {"to_user_name",
       [&] {
         v1::SendImageRequest r;
         r.set_account("a");
         r.set_to_user_name(long_id);
         r.set_image("png");
         return BuildCommand(r, limits);
       },
       false},
      {"user_key",
       [&] {
         v1::AddFriendRequest r;
         r.set_account("a");
         r.set_user_key(long_id);
         r.set_scene(v1::ADD_FRIEND_SCENE_QQ);
         return BuildCommand(r, limits);
       },
       false},
  };
  for (const Case& c : cases) {
    const absl::StatusOr<Command> command = c.build();
    ASSERT_FALSE(command.ok()) << c.field;
    EXPECT_EQ(command.status().code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_EQ(command.status().message(),
              absl::StrCat(c.field, " is ", c.text ? long_text.size() : long_id.size(), " bytes, ",
                           c.text ? text_limit : id_limit));
  }
}

}  // namespace
}  // namespace wxbridge::protocol
