#include "twiml.hpp"

#include <expat.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>

namespace outdial::twilio_emulator {
namespace {

// Verbs a <Response> may hold (TwiML voice reference). Ones the emulator does not act out
// (Enqueue, Connect, ...) still parse; the engine records them and ends the call.
const std::set<std::string>& verbs() {
  static const std::set<std::string> v = {"Say",   "Play",    "Pause", "Gather", "Dial",  "Redirect",
                                          "Hangup", "Reject", "Record", "Sms",    "Enqueue", "Leave",
                                          "Connect", "Start", "Stop",   "Refer",  "Pay",   "Prompt"};
  return v;
}
// Nouns and the verbs that may hold them.
const std::map<std::string, std::set<std::string>>& allowed_children() {
  static const std::map<std::string, std::set<std::string>> m = {
      {"Gather", {"Say", "Play", "Pause"}},
      {"Dial", {"Number", "Client", "Conference", "Queue", "Sip", "Sim", "Application"}},
      {"Say", {"break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w", "amazon:effect",
               "amazon:domain"}},
  };
  return m;
}

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

struct ParseState {
  XML_Parser parser = nullptr;
  std::vector<TwimlNode*> stack;
  TwimlNode root;
  bool has_root = false;
  std::string error;
  int error_line = 0;

  void fail(std::string msg) {
    if (!error.empty()) return;
    error = std::move(msg);
    error_line = static_cast<int>(XML_GetCurrentLineNumber(parser));
    XML_StopParser(parser, XML_FALSE);
  }
};

void on_start(void* user, const XML_Char* name, const XML_Char** attrs) {
  auto* st = static_cast<ParseState*>(user);
  TwimlNode node;
  node.name = name;
  node.line = static_cast<int>(XML_GetCurrentLineNumber(st->parser));
  for (int i = 0; attrs[i] != nullptr; i += 2) node.attrs[attrs[i]] = attrs[i + 1];
  if (st->stack.empty()) {
    if (st->has_root) return st->fail("more than one root element");
    if (node.name != "Response") return st->fail("the root element is <" + node.name + ">, not <Response>");
    st->root = std::move(node);
    st->has_root = true;
    st->stack.push_back(&st->root);
    return;
  }
  TwimlNode* parent = st->stack.back();
  if (parent->name == "Response") {
    if (verbs().count(node.name) == 0) return st->fail("<" + node.name + "> is not a TwiML verb");
  } else {
    auto it = allowed_children().find(parent->name);
    // Inside <Say> (SSML) anything nested in allowed SSML tags is accepted.
    const bool in_ssml = std::any_of(st->stack.begin(), st->stack.end(),
                                     [](const TwimlNode* n) { return n->name == "Say"; });
    if (!in_ssml && (it == allowed_children().end() || it->second.count(node.name) == 0)) {
      return st->fail("<" + node.name + "> is not allowed inside <" + parent->name + ">");
    }
  }
  parent->children.push_back(std::move(node));
  st->stack.push_back(&parent->children.back());
}

void on_end(void* user, const XML_Char*) {
  auto* st = static_cast<ParseState*>(user);
  if (!st->stack.empty()) {
    st->stack.back()->text = trim(st->stack.back()->text);
    st->stack.pop_back();
  }
}

void on_text(void* user, const XML_Char* s, int len) {
  auto* st = static_cast<ParseState*>(user);
  if (st->stack.empty()) return;
  // SSML inside <Say>: the spoken text is the concatenation, so append to the <Say> itself.
  for (auto it = st->stack.rbegin(); it != st->stack.rend(); ++it) {
    if ((*it)->name == "Say") {
      (*it)->text.append(s, static_cast<std::size_t>(len));
      return;
    }
  }
  st->stack.back()->text.append(s, static_cast<std::size_t>(len));
}

}  // namespace

std::string TwimlNode::attr(const std::string& n, const std::string& fallback) const {
  auto it = attrs.find(n);
  return it == attrs.end() ? fallback : it->second;
}

Result<TwimlNode> parse_twiml(std::string_view xml) {
  std::unique_ptr<XML_ParserStruct, void (*)(XML_Parser)> parser(XML_ParserCreate("UTF-8"), XML_ParserFree);
  if (!parser) return make_error(ErrorCode::kInternal, "expat: cannot create a parser");
  ParseState st;
  st.parser = parser.get();
  XML_SetUserData(parser.get(), &st);
  XML_SetElementHandler(parser.get(), on_start, on_end);
  XML_SetCharacterDataHandler(parser.get(), on_text);
  const auto status = XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE);
  if (st.error.empty() && status != XML_STATUS_OK) {
    st.error = XML_ErrorString(XML_GetErrorCode(parser.get()));
    st.error_line = static_cast<int>(XML_GetCurrentLineNumber(parser.get()));
  }
  if (st.error.empty() && !st.has_root) st.error = "no root element";
  if (!st.error.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "TwiML: " + st.error + " (line " + std::to_string(st.error_line) + ")",
                      {{"twilio_code", "12100"}, {"line", std::to_string(st.error_line)}});
  }
  return std::move(st.root);
}

double speech_seconds(const std::string& text) {
  int words = 0;
  bool in_word = false;
  for (unsigned char c : text) {
    const bool space = std::isspace(c) != 0;
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return std::max(0.5, words * 0.4);
}

}  // namespace outdial::twilio_emulator
