#include "server/protocol/group_notice_text.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace wxbridge::protocol {
namespace {

namespace v1 = ::wxbridge::v1;
// absl's own string_view (not std's in this build), which the absl string helpers take.
using View = absl::string_view;

// One side of a notice: who it names, in the order named.
struct Named {
  std::vector<std::string> names;  // the quoted display names
  bool self = false;               // "你"/"you" outside the quotes
};

// The text between the first `start` and the next `end` after it (the rest of the text
// when `end` is empty or absent); empty when `start` is absent.
View Between(View text, View start, View end) {
  const std::size_t from = start.empty() ? 0 : text.find(start);
  if (from == View::npos) return {};
  View rest = text.substr(from + start.size());
  const std::size_t to = end.empty() ? View::npos : rest.find(end);
  return to == View::npos ? rest : rest.substr(0, to);
}

View Before(View text, View marker) {
  const std::size_t at = text.find(marker);
  return at == View::npos ? text : text.substr(0, at);
}

// Quoted names ("…", or “…” as renames write them) and whether the account itself is
// named outside them.
Named Names(View part) {
  Named named;
  std::string outside;
  std::size_t i = 0;
  while (i < part.size()) {
    View close;
    std::size_t open_size = 0;
    if (part[i] == '"') {
      close = "\"";
      open_size = 1;
    } else if (part.compare(i, 3, "\u201c") == 0) {
      close = "\u201d";
      open_size = 3;
    }
    if (close.empty()) {
      outside += part[i++];
      continue;
    }
    const std::size_t end = part.find(close, i + open_size);
    if (end == View::npos) {
      absl::StrAppend(&outside, part.substr(i));
      break;
    }
    named.names.emplace_back(part.substr(i + open_size, end - i - open_size));
    i = end + close.size();
  }
  named.self =
      absl::StrContains(outside, "你") || absl::StrContains(absl::AsciiStrToLower(outside), "you");
  return named;
}

void SetActor(View part, v1::GroupChange* change) {
  const Named named = Names(part);
  if (!named.names.empty()) {
    change->set_actor_name(named.names.front());
  } else {
    change->set_actor_is_self(named.self);
  }
}

void SetMembers(View part, v1::GroupChange* change) {
  const Named named = Names(part);
  for (const std::string& name : named.names) change->add_member_names(name);
  change->set_members_include_self(named.self);
}

// The new name after a rename's verb, without its quotes.
std::string NewName(View rest) {
  const Named named = Names(rest);
  if (!named.names.empty()) return named.names.front();
  return std::string(absl::StripAsciiWhitespace(rest));
}

bool ReadChinese(View text, v1::GroupChange* change) {
  if (absl::StrContains(text, "修改群名为")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_RENAMED);
    SetActor(Before(text, "修改群名为"), change);
    change->set_new_name(NewName(Between(text, "修改群名为", "")));
  } else if (absl::StrContains(text, "撤回了")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_MESSAGE_REVOKED);
    SetActor(Before(text, "撤回了"), change);
  } else if (absl::StartsWith(text, "你被") && absl::StrContains(text, "移出")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_REMOVED);  // 你被"管理员"移出群聊
    SetActor(Between(text, "你被", "移出"), change);
    change->set_members_include_self(true);
  } else if (absl::StrContains(text, "移出")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_REMOVED);  // "管理员"将"柚子"移出了群聊
    SetActor(Before(text, "将"), change);
    SetMembers(Between(text, "将", "移出"), change);
  } else if (absl::StrContains(text, "邀请") && absl::StrContains(text, "加入")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_INVITED);  // "管理员"邀请你和"柚子"加入了群聊
    SetActor(Before(text, "邀请"), change);
    SetMembers(Between(text, "邀请", "加入"), change);
  } else if (absl::StrContains(text, "加入")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_JOINED);
    if (absl::StrContains(text, "通过扫描")) {  // "柚子"通过扫描"管理员"分享的二维码加入群聊
      SetMembers(Before(text, "通过扫描"), change);
      SetActor(Between(text, "通过扫描", "分享"), change);
    } else {
      SetMembers(Before(text, "加入"), change);
    }
  } else if (absl::StrContains(text, "退出")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_LEFT);
    SetMembers(Before(text, "退出"), change);
  } else {
    return false;
  }
  return true;
}

bool ReadEnglish(View text, v1::GroupChange* change) {
  if (absl::StrContains(text, "changed the group name to")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_RENAMED);
    SetActor(Before(text, "changed the group name to"), change);
    change->set_new_name(NewName(Between(text, "changed the group name to", "")));
  } else if (absl::StrContains(text, "recalled a message")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_MESSAGE_REVOKED);
    SetActor(Before(text, "recalled a message"), change);
  } else if (absl::StrContains(text, "were removed from the group chat by")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_REMOVED);
    SetActor(Between(text, "removed from the group chat by", ""), change);
    change->set_members_include_self(true);
  } else if (absl::StrContains(text, " removed ")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_REMOVED);
    SetActor(Before(text, " removed "), change);
    SetMembers(Between(text, " removed ", " from the group chat"), change);
  } else if (absl::StrContains(text, " invited ")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_INVITED);
    SetActor(Before(text, " invited "), change);
    SetMembers(Between(text, " invited ", " to the group chat"), change);
  } else if (absl::StrContains(text, "joined the group chat")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_JOINED);
    SetMembers(Before(text, "joined the group chat"), change);
    if (absl::StrContains(text, "shared by")) SetActor(Between(text, "shared by", ""), change);
  } else if (absl::StrContains(text, "left the group chat")) {
    change->set_kind(v1::GROUP_CHANGE_KIND_LEFT);
    SetMembers(Before(text, "left the group chat"), change);
  } else {
    return false;
  }
  return true;
}

}  // namespace

void ReadGroupNoticeText(std::string_view notice, v1::GroupChange* change) {
  const View text = absl::StripAsciiWhitespace(View(notice.data(), notice.size()));
  if (!ReadChinese(text, change) && !ReadEnglish(text, change)) {
    change->set_kind(v1::GROUP_CHANGE_KIND_OTHER);
  }
}

}  // namespace wxbridge::protocol
