// EncodeFrame: the request envelope the gateway receives.
#include "server/protocol/frame_encoder.h"

#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/unit/protocol_testdata.h"

namespace wxbridge::protocol {
namespace {

using nlohmann::json;

Command DataCommand(int code, std::string data_json) {
  Command command;
  command.code = code;
  command.data_json = std::move(data_json);
  return command;
}

TEST(FrameEncoderTest, WritesEnvelopeInDocumentOrder) {
  EXPECT_EQ(EncodeFrame(RebindCommand(), "XXXXXXX", {7, "c-7"}),
            R"({"code":100,"authKey":"XXXXXXX","msgId":7,"cmdId":"c-7","data":{}})");
}

TEST(FrameEncoderTest, OmitsUnsetStamps) {
  EXPECT_EQ(EncodeFrame(RebindCommand(), "XXXXXXX", {}),
            R"({"code":100,"authKey":"XXXXXXX","data":{}})");
}

TEST(FrameEncoderTest, RebindMatchesTheDocumentSample) {
  EXPECT_EQ(json::parse(EncodeFrame(RebindCommand(), "XXXXXXX", {})),
            testing::StrictSample("cmd_100_rebind.json"));
}

TEST(FrameEncoderTest, SplicesDataVerbatim) {
  const std::string data = R"({"account": "a" ,"x":[1, 2]})";
  const std::string frame = EncodeFrame(DataCommand(103, data), "k", {1, "c"});
  EXPECT_EQ(frame,
            std::string(R"({"code":103,"authKey":"k","msgId":1,"cmdId":"c","data":)") + data + "}");
}

TEST(FrameEncoderTest, EmptyDataIsAnEmptyObject) {
  EXPECT_EQ(json::parse(EncodeFrame(DataCommand(120, ""), "k", {}))["data"], json::object());
}

TEST(FrameEncoderTest, EscapesAuthKeyAndCmdId) {
  const std::string auth_key = "q\"uo\\te\n\t\x01 授权";
  const std::string cmd_id = "id\"1";
  const json frame = json::parse(EncodeFrame(RebindCommand(), auth_key, {1, cmd_id}));
  EXPECT_EQ(frame["authKey"], auth_key);
  EXPECT_EQ(frame["cmdId"], cmd_id);
}

TEST(FrameEncoderTest, InvalidUtf8AuthKeyStillYieldsStrictJson) {
  const std::string frame = EncodeFrame(RebindCommand(), "key\xFF", {});
  const json parsed = json::parse(frame, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(parsed.is_discarded()) << frame;
  EXPECT_EQ(parsed["authKey"], "key\xEF\xBF\xBD");
}

TEST(FrameEncoderTest, WritesLargestMsgIdExactly) {
  const std::string frame = EncodeFrame(RebindCommand(), "k", {18446744073709551615ull, "c"});
  EXPECT_NE(frame.find(R"("msgId":18446744073709551615,)"), std::string::npos) << frame;
}

TEST(FrameEncoderTest, CarriesALargeImageInOneCopy) {
  const std::string payload(13 * 1024 * 1024, 'A');
  const std::string data = R"({"imgBuff":")" + payload + R"("})";
  const std::string frame = EncodeFrame(DataCommand(109, data), "k", {9, "c"});
  EXPECT_LT(frame.size(), data.size() + 64);
  EXPECT_EQ(json::parse(frame)["data"]["imgBuff"].get_ref<const std::string&>().size(),
            payload.size());
}

}  // namespace
}  // namespace wxbridge::protocol
