// send-text (103), send-link (104), send-image (109).
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "client/wxctl/subcommand.h"

namespace wxbridge::wxctl {
namespace {

namespace v1 = ::wxbridge::v1;
using Stub = v1::BridgeService::Stub;

// The account and recipient every send names.
template <typename Request>
void AddSender(FlagSet& flags, Request& r) {
  flags.AddString("account", r.mutable_account(), "the sending account", FlagSet::kRequired, "ID");
  flags.AddString("to", r.mutable_to_user_name(), "recipient wxid or …@chatroom id",
                  FlagSet::kRequired, "WXID");
}

// Reads the whole file into `bytes` at parse time, so a missing file is a usage error.
FlagSet::Parser FileContents(std::string* bytes) {
  return [bytes](absl::string_view path) {
    std::ifstream in{std::string(path), std::ios::binary};
    if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
    std::ostringstream contents;
    contents << in.rdbuf();
    *bytes = contents.str();
    return absl::OkStatus();
  };
}

}  // namespace

std::vector<std::unique_ptr<Subcommand>> MessageCommands() {
  std::vector<std::unique_ptr<Subcommand>> commands;
  commands.push_back(MakeUnary<v1::SendTextRequest, v1::SendTextResponse>(
      "send-text", "--account=ID --to=WXID --text=TEXT", "Send a text message (code 103).",
      &Stub::SendText, [](FlagSet& flags, v1::SendTextRequest& r) {
        AddSender(flags, r);
        flags.AddString("text", r.mutable_content(), "the message", FlagSet::kRequired);
      }));
  commands.push_back(MakeUnary<v1::SendLinkRequest, v1::SendLinkResponse>(
      "send-link", "--account=ID --to=WXID --title=TEXT --url=URL [flags]",
      "Send a link card (code 104).", &Stub::SendLink, [](FlagSet& flags, v1::SendLinkRequest& r) {
        AddSender(flags, r);
        flags.AddString("title", r.mutable_title(), "card title", FlagSet::kRequired);
        flags.AddString("url", r.mutable_url(), "link target", FlagSet::kRequired);
        flags.AddString("description", r.mutable_description(), "card text");
        v1::LinkThumbnail* thumb = r.mutable_thumbnail();
        flags.AddString("thumb_url", thumb->mutable_cdn_url(), "thumbnail CDN URL");
        flags.AddString("thumb_md5", thumb->mutable_md5(), "thumbnail MD5");
        flags.AddInt(
            "thumb_length", [thumb](int64_t n) { thumb->set_length(n); },
            "thumbnail size in bytes");
        flags.AddInt(
            "thumb_height", [thumb](int64_t n) { thumb->set_height(n); },
            "thumbnail height in pixels");
        flags.AddString("thumb_aes_key", thumb->mutable_aes_key(), "thumbnail AES key");
      }));
  commands.push_back(MakeUnary<v1::SendImageRequest, v1::SendImageResponse>(
      "send-image", "--account=ID --to=WXID --file=PATH",
      "Send an image file (code 109; the bridge base64-encodes it).", &Stub::SendImage,
      [](FlagSet& flags, v1::SendImageRequest& r) {
        AddSender(flags, r);
        flags.Add("file", "PATH", "the image file", FileContents(r.mutable_image()),
                  FlagSet::kRequired);
      }));
  return commands;
}

}  // namespace wxbridge::wxctl
