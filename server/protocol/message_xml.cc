#include "server/protocol/message_xml.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "pugixml.hpp"
#include "server/common/utf8.h"
#include "server/protocol/exact_id.h"

namespace wxbridge::protocol {
namespace {

namespace v1 = ::wxbridge::v1;

bool Load(std::string_view xml, pugi::xml_document* document) {
  return document->load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8)
             .status == pugi::status_ok;
}

// Character references such as &#xD800; decode to bytes that are not valid
// UTF-8.
std::string Clean(std::string_view text) { return SanitizeUtf8(text); }

std::string Attr(const pugi::xml_node& node, const char* name) {
  return Clean(node.attribute(name).value());
}

std::string ChildText(const pugi::xml_node& node, const char* name) {
  return Clean(node.child(name).text().get());
}

// Numbers in WeChat XML are decimal text; anything else reads as 0.
template <typename Int>
Int Integer(absl::string_view text) {
  Int number = 0;
  return absl::SimpleAtoi(text, &number) ? number : 0;
}

template <typename Int>
Int IntAttr(const pugi::xml_node& node, const char* name) {
  return Integer<Int>(node.attribute(name).value());
}

double Coordinate(const char* text) {
  double number = 0;
  return absl::SimpleAtod(text, &number) && std::isfinite(number) ? number : 0;
}

// A whole number that may be written with a fraction ("16.0"), rounded; 0 when it is not
// a number or does not fit.
int32_t RoundedInt32(const char* text) {
  const double number = std::round(Coordinate(text));
  return std::fabs(number) <= 2147483647.0 ? static_cast<int32_t>(number) : 0;
}

uint64_t ExactId(const char* text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  return ParseExactId(std::string_view(trimmed.data(), trimmed.size())).value_or(0);
}

v1::AppKind AppKindOf(int32_t type) {
  switch (type) {
    case 5:
      return v1::APP_KIND_LINK;
    case 6:
      return v1::APP_KIND_FILE;
    case 33:
    case 36:
      return v1::APP_KIND_MINI_PROGRAM;
    default:
      return v1::APP_KIND_OTHER;
  }
}

// One non-recursive pass over a sysmsg: its text and the members it names.
class SysMsgWalker : public pugi::xml_tree_walker {
 public:
  bool for_each(pugi::xml_node& node) override {
    if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) {
      texts_.emplace_back(node.value());
    } else if (node.type() == pugi::node_element && std::string_view(node.name()) == "username") {
      const std::string member = Clean(node.text().get());
      if (!member.empty() && !Contains(member)) members_.push_back(member);
    }
    return true;
  }
  std::string text() const { return Clean(absl::StrJoin(texts_, " ")); }
  const std::vector<std::string>& members() const { return members_; }

 private:
  bool Contains(const std::string& member) const {
    for (const std::string& known : members_) {
      if (known == member) return true;
    }
    return false;
  }
  std::vector<std::string> texts_;
  std::vector<std::string> members_;
};

}  // namespace

bool ReadImageXml(std::string_view xml, v1::ImageMessage* image) {
  pugi::xml_document document;
  if (!Load(xml, &document)) return false;
  const pugi::xml_node img = document.child("msg").child("img");
  image->set_aes_key(Attr(img, "aeskey"));
  image->set_cdn_thumb_url(Attr(img, "cdnthumburl"));
  image->set_cdn_thumb_length(IntAttr<int64_t>(img, "cdnthumblength"));
  image->set_cdn_thumb_height(IntAttr<int32_t>(img, "cdnthumbheight"));
  image->set_cdn_thumb_width(IntAttr<int32_t>(img, "cdnthumbwidth"));
  image->set_cdn_mid_img_url(Attr(img, "cdnmidimgurl"));
  image->set_cdn_big_img_url(Attr(img, "cdnbigimgurl"));
  image->set_length(IntAttr<int64_t>(img, "length"));
  image->set_hd_length(IntAttr<int64_t>(img, "hdlength"));
  image->set_md5(Attr(img, "md5"));
  image->set_cdn_thumb_aes_key(Attr(img, "cdnthumbaeskey"));
  image->set_encrypt_version(IntAttr<int32_t>(img, "encryver"));
  image->set_cdn_mid_height(IntAttr<int32_t>(img, "cdnmidheight"));
  image->set_cdn_mid_width(IntAttr<int32_t>(img, "cdnmidwidth"));
  image->set_cdn_hd_height(IntAttr<int32_t>(img, "cdnhdheight"));
  image->set_cdn_hd_width(IntAttr<int32_t>(img, "cdnhdwidth"));
  return true;
}

bool ReadLocationXml(std::string_view xml, v1::LocationMessage* location) {
  pugi::xml_document document;
  if (!Load(xml, &document)) return false;
  const pugi::xml_node place = document.child("msg").child("location");
  location->set_latitude(Coordinate(place.attribute("x").value()));
  location->set_longitude(Coordinate(place.attribute("y").value()));
  location->set_scale(RoundedInt32(place.attribute("scale").value()));
  location->set_label(Attr(place, "label"));
  location->set_poi_name(Attr(place, "poiname"));
  return true;
}

bool ReadAppXml(std::string_view xml, v1::AppMessage* app) {
  pugi::xml_document document;
  if (!Load(xml, &document)) return false;
  const pugi::xml_node appmsg = document.child("msg").child("appmsg");
  const int32_t type = Integer<int32_t>(appmsg.child("type").text().get());
  app->set_kind(AppKindOf(type));
  app->set_app_type(type);
  app->set_title(ChildText(appmsg, "title"));
  app->set_description(ChildText(appmsg, "des"));
  app->set_url(ChildText(appmsg, "url"));
  app->set_thumb_url(ChildText(appmsg, "thumburl"));
  const pugi::xml_node attach = appmsg.child("appattach");
  app->set_file_ext(ChildText(attach, "fileext"));
  app->set_file_size(Integer<int64_t>(attach.child("totallen").text().get()));
  app->set_app_id(Attr(appmsg, "appid"));
  v1::AppAttachment* attachment = app->mutable_attachment();
  attachment->set_cdn_thumb_url(ChildText(attach, "cdnthumburl"));
  attachment->set_cdn_thumb_md5(ChildText(attach, "cdnthumbmd5"));
  attachment->set_cdn_thumb_length(Integer<int64_t>(attach.child("cdnthumblength").text().get()));
  attachment->set_cdn_thumb_height(Integer<int32_t>(attach.child("cdnthumbheight").text().get()));
  attachment->set_cdn_thumb_width(Integer<int32_t>(attach.child("cdnthumbwidth").text().get()));
  attachment->set_cdn_thumb_aes_key(ChildText(attach, "cdnthumbaeskey"));
  attachment->set_aes_key(ChildText(attach, "aeskey"));
  attachment->set_encrypt_version(Integer<int32_t>(attach.child("encryver").text().get()));
  attachment->set_attach_id(ChildText(attach, "attachid"));
  return true;
}

bool ReadFriendRequestXml(std::string_view xml, v1::FriendRequest* request) {
  pugi::xml_document document;
  if (!Load(xml, &document)) return false;
  const pugi::xml_node msg = document.child("msg");
  request->set_from_user_name(Attr(msg, "fromusername"));
  request->set_from_nick_name(Attr(msg, "fromnickname"));
  request->set_content(Attr(msg, "content"));
  request->set_entry_name(Attr(msg, "encryptusername"));
  request->set_ticket(Attr(msg, "ticket"));
  request->set_scene(IntAttr<int32_t>(msg, "scene"));
  request->set_opcode(IntAttr<int32_t>(msg, "opcode"));
  request->set_source_user_name(Attr(msg, "sourceusername"));
  request->set_alias(Attr(msg, "alias"));
  request->set_sex(IntAttr<int32_t>(msg, "sex"));
  request->set_province(Attr(msg, "province"));
  request->set_city(Attr(msg, "city"));
  request->set_signature(Attr(msg, "sign"));
  request->set_big_head_img_url(Attr(msg, "bigheadimgurl"));
  request->set_small_head_img_url(Attr(msg, "smallheadimgurl"));
  request->set_chatroom_user_name(Attr(msg, "chatroomusername"));
  return true;
}

bool ReadGroupChangeXml(std::string_view xml, v1::GroupChange* change) {
  pugi::xml_document document;
  if (!Load(xml, &document)) return false;
  SysMsgWalker walker;
  document.traverse(walker);
  for (const std::string& member : walker.members()) change->add_member_wx_ids(member);
  const pugi::xml_node sysmsg = document.child("sysmsg");
  if (std::string_view(sysmsg.attribute("type").value()) == "revokemsg") {
    change->set_kind(v1::GROUP_CHANGE_KIND_MESSAGE_REVOKED);
    const pugi::xml_node revoke = sysmsg.child("revokemsg");
    const pugi::xml_node replace = revoke.child("replacemsg");
    change->set_text(replace ? Clean(replace.text().get()) : walker.text());
    v1::RecalledMessage* recalled = change->mutable_recalled();
    recalled->set_session(ChildText(revoke, "session"));
    recalled->set_msg_id(ExactId(revoke.child("msgid").text().get()));
    recalled->set_new_msg_id(ExactId(revoke.child("newmsgid").text().get()));
    recalled->set_replace_text(ChildText(revoke, "replacemsg"));
  } else {
    change->set_text(walker.text());
  }
  return true;
}

}  // namespace wxbridge::protocol
