#include "server/events/event_truncation.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace wxbridge::events {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using wxbridge::v1::Event;

// A field that can be made smaller: a string or bytes field, or a repeated field (cut
// from its end).
struct Cuttable {
  Message* message;
  const FieldDescriptor* field;
  std::size_t bytes;  // what it adds to the serialization, at least
};

// At least what element `index` of a repeated field adds to the serialization.
std::size_t ElementBytes(const Message& message, const FieldDescriptor* field, int index) {
  const Reflection* reflection = message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return 2 + reflection->GetRepeatedMessage(message, field, index).ByteSizeLong();
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      return 2 + reflection->GetRepeatedStringReference(message, field, index, &scratch).size();
    }
    default:
      return 1;  // a packed number
  }
}

std::size_t FieldBytes(const Message& message, const FieldDescriptor* field) {
  const Reflection* reflection = message.GetReflection();
  if (!field->is_repeated()) {
    std::string scratch;
    return reflection->GetStringReference(message, field, &scratch).size();
  }
  std::size_t bytes = 0;
  const int count = reflection->FieldSize(message, field);
  for (int i = 0; i < count; ++i) bytes += ElementBytes(message, field, i);
  return bytes;
}

// Every string, bytes and repeated field set in `message` and the messages it holds.
void CollectCuttable(Message* message, std::vector<Cuttable>* out) {
  const Reflection* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->is_repeated() || field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      out->push_back(Cuttable{message, field, FieldBytes(*message, field)});
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      CollectCuttable(reflection->MutableMessage(message, field), out);
    }
  }
}

// The longest prefix of `text` no longer than `length` that ends on a UTF-8 character
// boundary (a proto string must stay valid UTF-8).
std::size_t Utf8PrefixLength(const std::string& text, std::size_t length) {
  while (length > 0 && length < text.size() && (text[length] & 0xC0) == 0x80) --length;
  return length;
}

// Makes the field at least `excess` bytes smaller, or empty. False when it already was.
bool CutSome(const Cuttable& cuttable, std::size_t excess) {
  Message* message = cuttable.message;
  const FieldDescriptor* field = cuttable.field;
  const Reflection* reflection = message->GetReflection();
  if (field->is_repeated()) {
    int count = reflection->FieldSize(*message, field);
    if (count == 0) return false;
    for (std::size_t removed = 0; count > 0 && removed < excess; --count) {
      removed += ElementBytes(*message, field, count - 1);
      reflection->RemoveLast(message, field);
    }
    return true;
  }
  std::string scratch;
  const std::string& value = reflection->GetStringReference(*message, field, &scratch);
  if (value.empty()) return false;
  // A cut image or file is no use: bytes fields are emptied, text keeps its start.
  if (field->type() == FieldDescriptor::TYPE_BYTES || value.size() <= excess) {
    reflection->ClearField(message, field);
    return true;
  }
  std::string prefix(value, 0, Utf8PrefixLength(value, value.size() - excess));
  reflection->SetString(message, field, std::move(prefix));
  return true;
}

}  // namespace

Event TruncatedCopy(Event* full, std::size_t full_bytes, std::size_t max_bytes) {
  // raw_json repeats a typed payload, so it is dropped, not copied; an unrecognized
  // frame has nothing else, so there it is cut like the other fields.
  const bool typed = !full->has_unrecognized();
  std::string raw_json;
  if (typed) raw_json.swap(*full->mutable_raw_json());
  Event cut = *full;
  if (typed) full->mutable_raw_json()->swap(raw_json);
  cut.set_truncated(true);
  cut.set_original_bytes(full_bytes);

  // Largest first, so that ids, names and numbers stay whole while there is a big field.
  std::vector<Cuttable> cuttable;
  const Reflection* reflection = cut.GetReflection();
  const FieldDescriptor* raw_json_field = Event::descriptor()->FindFieldByName("raw_json");
  if (!typed) cuttable.push_back(Cuttable{&cut, raw_json_field, cut.raw_json().size()});
  const FieldDescriptor* payload =
      reflection->GetOneofFieldDescriptor(cut, Event::descriptor()->FindOneofByName("payload"));
  if (payload != nullptr) CollectCuttable(reflection->MutableMessage(&cut, payload), &cuttable);
  std::stable_sort(cuttable.begin(), cuttable.end(),
                   [](const Cuttable& a, const Cuttable& b) { return a.bytes > b.bytes; });
  // Only a hostile frame gets this far: the envelope's own strings.
  for (const char* name : {"cmd_id", "account"}) {
    cuttable.push_back(Cuttable{&cut, Event::descriptor()->FindFieldByName(name), 0});
  }

  std::size_t size = cut.ByteSizeLong();
  for (const Cuttable& field : cuttable) {
    while (size > max_bytes && CutSome(field, size - max_bytes)) size = cut.ByteSizeLong();
    if (size <= max_bytes) break;
  }
  return cut;
}

}  // namespace wxbridge::events
