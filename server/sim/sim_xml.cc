#include "server/sim/sim_xml.h"

#include "absl/strings/str_cat.h"

namespace wxbridge::sim {
namespace {

// name="escaped value" with a leading space.
std::string Attr(absl::string_view name, absl::string_view value) {
  return absl::StrCat(" ", name, "=\"", XmlEscape(value), "\"");
}

std::string Element(absl::string_view name, absl::string_view text) {
  return absl::StrCat("<", name, ">", XmlEscape(text), "</", name, ">");
}

}  // namespace

std::string XmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string LinkXml(const LinkCard &card) {
  return absl::StrCat(
      "<msg><appmsg appid=\"\" sdkver=\"0\">", Element("title", card.title),
      Element("des", card.description), "<type>5</type>", Element("url", card.url),
      Element("thumburl", card.cdn_thumb_url), "<appattach>",
      Element("cdnthumburl", card.cdn_thumb_url), Element("cdnthumbmd5", card.cdn_thumb_md5),
      Element("cdnthumblength", card.cdn_thumb_length),
      Element("cdnthumbheight", card.cdn_thumb_height), "<cdnthumbwidth>160</cdnthumbwidth>",
      Element("cdnthumbaeskey", card.cdn_thumb_aes_key), "</appattach></appmsg>",
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
                      Attr("country", ""), Attr("province", ""), Attr("city", ""), Attr("sign", ""),
                      Attr("percard", "1"), Attr("sex", "0"), Attr("alias", ""),
                      Attr("ticket", request.ticket), Attr("opcode", "2"),
                      Attr("googlecontact", ""), Attr("qrticket", ""), Attr("chatroomusername", ""),
                      Attr("sourceusername", ""), Attr("sourcenickname", ""), " />");
}

}  // namespace wxbridge::sim
