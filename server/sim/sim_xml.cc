#include "server/sim/sim_xml.h"

#include "absl/strings/str_cat.h"
#include "server/protocol/xml_escape.h"

namespace wxbridge::sim {
namespace {

std::string XmlEscape(absl::string_view text) {
  return protocol::XmlEscape(std::string_view(text.data(), text.size()));
}

// name="escaped value" with a leading space.
std::string Attr(absl::string_view name, absl::string_view value) {
  return absl::StrCat(" ", name, "=\"", XmlEscape(value), "\"");
}

std::string Element(absl::string_view name, absl::string_view text) {
  return absl::StrCat("<", name, ">", XmlEscape(text), "</", name, ">");
}

// A code 104 field pasted into the card as the gateway does: as it came, unescaped.
std::string Pasted(absl::string_view name, absl::string_view text) {
  return absl::StrCat("<", name, ">", text, "</", name, ">");
}

}  // namespace

std::string LinkXml(const LinkCard &card) {
  return absl::StrCat(
      "<msg><appmsg appid=\"\" sdkver=\"0\">", Pasted("title", card.title),
      Pasted("des", card.description), "<type>5</type>", Pasted("url", card.url),
      Pasted("thumburl", card.cdn_thumb_url), "<appattach>",
      Pasted("cdnthumburl", card.cdn_thumb_url), Pasted("cdnthumbmd5", card.cdn_thumb_md5),
      Pasted("cdnthumblength", card.cdn_thumb_length),
      Pasted("cdnthumbheight", card.cdn_thumb_height), "<cdnthumbwidth>160</cdnthumbwidth>",
      Pasted("cdnthumbaeskey", card.cdn_thumb_aes_key), "</appattach></appmsg>",
      Element("fromusername", card.from_wx_id), "</msg>");
}

std::string ImageXml(const ImageInfo &image) {
  const std::string length = absl::StrCat(image.length);
  return absl::StrCat("<msg><img", Attr("aeskey", image.aes_key), Attr("encryver", "1"),
                      Attr("cdnthumbaeskey", image.aes_key), Attr("cdnthumburl", image.cdn_url),
                      Attr("cdnthumblength", absl::StrCat(image.thumb_length)),
                      Attr("cdnthumbheight", "120"), Attr("cdnthumbwidth", "120"),
                      Attr("cdnmidheight", "0"), Attr("cdnmidwidth", "0"), Attr("cdnhdheight", "0"),
                      Attr("cdnhdwidth", "0"), Attr("cdnmidimgurl", image.cdn_url),
                      Attr("length", length), Attr("cdnbigimgurl", image.cdn_url),
                      Attr("hdlength", length), Attr("md5", image.md5), " /></msg>");
}

std::string FriendRequestXml(const FriendRequestInfo &request) {
  return absl::StrCat("<msg", Attr("fromusername", request.from_wx_id),
                      Attr("encryptusername", request.encrypt_user_name),
                      Attr("fromnickname", request.from_nick_name),
                      Attr("content", request.content), Attr("fullpy", ""), Attr("shortpy", ""),
                      Attr("imagestatus", "3"), Attr("scene", absl::StrCat(request.scene)),
                      Attr("country", "CN"), Attr("province", request.province),
                      Attr("city", request.city), Attr("sign", request.signature),
                      Attr("percard", "1"), Attr("sex", absl::StrCat(request.sex)),
                      Attr("alias", request.alias), Attr("ticket", request.ticket),
                      Attr("opcode", "2"), Attr("googlecontact", ""), Attr("qrticket", ""),
                      Attr("chatroomusername", request.chatroom_user_name),
                      Attr("bigheadimgurl", request.big_head_img_url),
                      Attr("smallheadimgurl", request.small_head_img_url),
                      Attr("sourceusername", ""), Attr("sourcenickname", ""), " />");
}

}  // namespace wxbridge::sim
