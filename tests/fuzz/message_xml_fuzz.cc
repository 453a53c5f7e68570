// Fuzz target for the XML WeChat puts in a message's Content (images, locations, app
// messages, friend requests, group changes and recalls): every reader gets the same
// bytes; none may crash, and whatever it fills in must survive the wire (valid UTF-8).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "google/protobuf/message.h"
#include "server/protocol/message_xml.h"

namespace {

void CheckSurvivesWire(const google::protobuf::Message& message) {
  std::string bytes;
  if (!message.SerializeToString(&bytes)) std::abort();
  std::unique_ptr<google::protobuf::Message> copy(message.New());
  if (!copy->ParseFromString(bytes)) std::abort();  // invalid UTF-8 in a string
}

template <typename Message, typename Reader>
void Read(Reader reader, std::string_view xml) {
  Message message;
  reader(xml, &message);
  CheckSurvivesWire(message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace p = wxbridge::protocol;
  namespace v1 = wxbridge::v1;
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  Read<v1::ImageMessage>(p::ReadImageXml, xml);
  Read<v1::LocationMessage>(p::ReadLocationXml, xml);
  Read<v1::AppMessage>(p::ReadAppXml, xml);
  Read<v1::FriendRequest>(p::ReadFriendRequestXml, xml);
  Read<v1::GroupChange>(p::ReadGroupChangeXml, xml);
  return 0;
}
