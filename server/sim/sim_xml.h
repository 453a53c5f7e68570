// The XML bodies WeChat puts in message Content (links, images, friend
// requests).
#ifndef WXBRIDGE_SERVER_SIM_SIM_XML_H_
#define WXBRIDGE_SERVER_SIM_SIM_XML_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace wxbridge::sim {

struct LinkCard {
  std::string from_wx_id;
  std::string title;
  std::string description;
  std::string url;
  std::string cdn_thumb_url;
  std::string cdn_thumb_md5;
  std::string cdn_thumb_length;
  std::string cdn_thumb_height;
  std::string cdn_thumb_aes_key;
};
// <msg><appmsg appid=""><title/><des/><type>5</type><url/>…</appmsg></msg>
std::string LinkXml(const LinkCard &card);

struct ImageInfo {
  std::string aes_key;  // 32 hex
  std::string cdn_url;  // hex, shaped like WeChat's CDN ids
  std::string md5;      // 32 hex (a stable hash of the bytes, not a real MD5)
  std::size_t length = 0;
  std::size_t thumb_length = 0;
};
// <msg><img aeskey=… cdnthumburl=… length=… md5=… … /></msg>
std::string ImageXml(const ImageInfo &image);

struct FriendRequestInfo {
  std::string from_wx_id;
  std::string from_nick_name;
  std::string encrypt_user_name;  // v1_…@stranger: code 107's entryName
  std::string ticket;             // v2_…@stranger: code 107's ticket
  std::string content;            // the verification text
  int scene = 0;
  // The requester's profile, as WeChat attaches it.
  std::string alias;
  int sex = 0;
  std::string province;
  std::string city;
  std::string signature;
  std::string big_head_img_url;
  std::string small_head_img_url;
  std::string chatroom_user_name;  // the group the requester found the account in
};
// <msg fromusername=… encryptusername=… ticket=… scene=… opcode="2" … />
std::string FriendRequestXml(const FriendRequestInfo &request);

}  // namespace wxbridge::sim

#endif  // WXBRIDGE_SERVER_SIM_SIM_XML_H_
