// Messages between accounts: text (103), link cards (104) and images (109), to
// a person or to a group (where the content carries the real sender).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/protocol/base64.h"
#include "server/sim/sim_ids.h"
#include "server/sim/sim_world.h"
#include "server/sim/sim_xml.h"

namespace wxbridge::sim {
namespace {

// Bytes of an image that travel back as its thumbnail in the push's "data".
constexpr std::size_t kThumbnailBytes = 512;

ImageInfo DescribeImage(const std::string &bytes) {
  ImageInfo image;
  image.md5 = HexOf(bytes, 32);
  image.aes_key = HexOf(absl::StrCat("aes", image.md5), 32);
  image.cdn_url =
      absl::StrCat("3057020100044b30490201000204", HexOf(absl::StrCat("cdn", image.md5), 64));
  image.length = bytes.size();
  image.thumb_length = std::min(bytes.size(), kThumbnailBytes);
  return image;
}

}  // namespace

void SimWorld::SendText(Command &cmd) {
  if (RequireLoggedIn(cmd) == nullptr) return;
  const std::string content = cmd.request.Field("content");
  SendMessage(cmd, cmd.request.Field("toUserName"), {1, content, content, std::nullopt});
}

void SimWorld::SendLink(Command &cmd) {
  Account *sender = RequireLoggedIn(cmd);
  if (sender == nullptr) return;
  const SimRequest &r = cmd.request;
  LinkCard card{sender->wx_id,
                r.Field("title"),
                r.Field("des"),
                r.Field("url"),
                r.Field("cdnthumburl"),
                r.Field("cdnthumbmd5"),
                r.Field("cdnthumblength"),
                r.Field("cdnthumbheight"),
                r.Field("cdnthumbaeskey")};
  SendMessage(cmd, r.Field("toUserName"),
              {49, LinkXml(card), absl::StrCat("[链接]", card.title), std::nullopt});
}

void SimWorld::SendImage(Command &cmd) {
  if (RequireLoggedIn(cmd) == nullptr) return;
  std::optional<std::string> bytes = protocol::Base64Decode(cmd.request.Field("imgBuff"));
  if (!bytes) return Fail(cmd, "imgBuff is not valid base64");
  if (bytes->empty()) return Fail(cmd, "imgBuff is empty");
  const ImageInfo image = DescribeImage(*bytes);
  const std::string thumbnail =
      protocol::Base64Encode(std::string_view(*bytes).substr(0, image.thumb_length));
  SendMessage(cmd, cmd.request.Field("toUserWxId"), {3, ImageXml(image), "[图片]", thumbnail});
}

void SimWorld::SendMessage(Command &cmd, const std::string &to, const Outgoing &message) {
  if (to.empty()) return Fail(cmd, "recipient is required");
  const std::string sender = cmd.request.account();
  std::optional<std::vector<Delivery>> deliveries = Route(sender, to);
  if (!deliveries) return Fail(cmd, "你不在该群聊中");
  Ack(cmd);
  const std::string push_content = absl::StrCat(NickNameForAccount(sender), " : ", message.summary);
  for (const Delivery &d : *deliveries) {
    ChatMessage chat{message.msg_type, d.from_user_name,
                     d.to_user_name,   absl::StrCat(d.content_prefix, message.content),
                     push_content,     message.data};
    Push(cmd.out, d.account, MessageFrame(PushIds(), d.account, chat));
  }
}

std::optional<std::vector<SimWorld::Delivery>> SimWorld::Route(const std::string &sender_account,
                                                               const std::string &to) const {
  const std::string &sender = accounts_.at(sender_account).wx_id;
  std::vector<Delivery> deliveries;
  const auto group = groups_.find(to);
  if (group == groups_.end()) {
    // A person: delivered when an account is logged in as them, else it leaves
    // WeChat.
    if (const std::string *target = LoggedInAccountByWxId(to)) {
      deliveries.push_back({*target, sender, to, ""});
    }
    return deliveries;
  }
  if (!group->second.Has(sender)) return std::nullopt;
  for (const auto &[account, member] : LoggedInMembers(group->second)) {
    if (member != sender) deliveries.push_back({account, to, member, absl::StrCat(sender, ":\n")});
  }
  return deliveries;
}

}  // namespace wxbridge::sim
