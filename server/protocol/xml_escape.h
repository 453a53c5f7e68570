// Escaping for text pasted into XML: the gateway builds a link card's appmsg XML from
// code 104's fields as they are (docs/protocol.md "Link cards"), and the simulator builds
// its pushes' XML the way WeChat does.
#ifndef WXBRIDGE_SERVER_PROTOCOL_XML_ESCAPE_H_
#define WXBRIDGE_SERVER_PROTOCOL_XML_ESCAPE_H_

#include <string>
#include <string_view>

namespace wxbridge::protocol {

// Escapes & < > " ' so the text is safe both as element text and as an attribute value.
std::string XmlEscape(std::string_view text);

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_XML_ESCAPE_H_
