#include "outdial/phone/digit_dfa.hpp"

#include <algorithm>
#include <map>
#include <memory>

namespace outdial::phone {
namespace {

// --- parse the pattern into a small syntax tree -------------------------------------------

struct Node {
  enum Kind { kSet, kSeq, kAlt, kRepeat } kind = kSeq;
  std::uint16_t mask = 0;  // kSet: bit d = digit d
  std::vector<Node> kids;
  int min = 1;
  int max = 1;  // -1 = unbounded
};

constexpr std::uint16_t kAllDigits = 0x3FF;

class Parser {
 public:
  explicit Parser(std::string_view p) : p_(p) {}

  std::optional<Node> parse() {
    auto n = alternation();
    if (!n || pos_ != p_.size()) return std::nullopt;
    return n;
  }

 private:
  bool at_end() const { return pos_ >= p_.size(); }
  char peek() const { return p_[pos_]; }

  std::optional<Node> alternation() {
    Node alt;
    alt.kind = Node::kAlt;
    for (;;) {
      auto s = sequence();
      if (!s) return std::nullopt;
      alt.kids.push_back(std::move(*s));
      if (!at_end() && peek() == '|') {
        ++pos_;
        continue;
      }
      break;
    }
    if (alt.kids.size() == 1) return std::move(alt.kids.front());
    return alt;
  }

  std::optional<Node> sequence() {
    Node seq;
    seq.kind = Node::kSeq;
    while (!at_end() && peek() != '|' && peek() != ')') {
      auto a = atom();
      if (!a) return std::nullopt;
      auto q = quantified(std::move(*a));
      if (!q) return std::nullopt;
      seq.kids.push_back(std::move(*q));
    }
    return seq;
  }

  std::optional<int> number() {
    if (at_end() || peek() < '0' || peek() > '9') return std::nullopt;
    int v = 0;
    while (!at_end() && peek() >= '0' && peek() <= '9') {
      v = v * 10 + (peek() - '0');
      if (v > 64) return std::nullopt;  // phone patterns never repeat more than a few times
      ++pos_;
    }
    return v;
  }

  std::optional<Node> quantified(Node a) {
    for (;;) {
      if (at_end()) return a;
      int lo = 0;
      int hi = 0;
      char c = peek();
      if (c == '?') {
        lo = 0, hi = 1, ++pos_;
      } else if (c == '*') {
        lo = 0, hi = -1, ++pos_;
      } else if (c == '+') {
        lo = 1, hi = -1, ++pos_;
      } else if (c == '{') {
        ++pos_;
        auto n = number();
        if (!n) return std::nullopt;
        lo = hi = *n;
        if (!at_end() && peek() == ',') {
          ++pos_;
          if (!at_end() && peek() == '}') {
            hi = -1;
          } else {
            auto m = number();
            if (!m || *m < lo) return std::nullopt;
            hi = *m;
          }
        }
        if (at_end() || peek() != '}') return std::nullopt;
        ++pos_;
      } else {
        return a;
      }
      Node r;
      r.kind = Node::kRepeat;
      r.min = lo;
      r.max = hi;
      r.kids.push_back(std::move(a));
      a = std::move(r);
    }
  }

  std::optional<Node> atom() {
    char c = peek();
    Node n;
    n.kind = Node::kSet;
    if (c >= '0' && c <= '9') {
      n.mask = static_cast<std::uint16_t>(1u << (c - '0'));
      ++pos_;
      return n;
    }
    if (c == '\\') {
      if (pos_ + 1 >= p_.size() || p_[pos_ + 1] != 'd') return std::nullopt;
      pos_ += 2;
      n.mask = kAllDigits;
      return n;
    }
    if (c == '[') return char_class();
    if (c == '(') {
      ++pos_;
      if (p_.substr(pos_, 2) == "?:") pos_ += 2;
      auto inner = alternation();
      if (!inner || at_end() || peek() != ')') return std::nullopt;
      ++pos_;
      return inner;
    }
    return std::nullopt;  // '.', '^', '$', letters, ...: unsupported
  }

  std::optional<Node> char_class() {
    ++pos_;  // '['
    Node n;
    n.kind = Node::kSet;
    if (!at_end() && peek() == '^') return std::nullopt;
    while (!at_end() && peek() != ']') {
      char a = peek();
      if (a == '\\' && pos_ + 1 < p_.size() && p_[pos_ + 1] == 'd') {
        n.mask |= kAllDigits;
        pos_ += 2;
        continue;
      }
      if (a < '0' || a > '9') return std::nullopt;
      ++pos_;
      char b = a;
      if (pos_ + 1 < p_.size() && peek() == '-' && p_[pos_ + 1] != ']') {
        b = p_[pos_ + 1];
        if (b < a || b > '9') return std::nullopt;
        pos_ += 2;
      }
      for (char d = a; d <= b; ++d) n.mask = static_cast<std::uint16_t>(n.mask | (1u << (d - '0')));
    }
    if (at_end()) return std::nullopt;
    ++pos_;  // ']'
    return n;
  }

  std::string_view p_;
  std::size_t pos_ = 0;
};

// --- Thompson NFA ----------------------------------------------------------------------------

struct NfaState {
  std::uint16_t mask = 0;  // 0 = epsilon-only state
  int next = -1;           // target on a digit in mask
  std::vector<int> eps;
};

struct Frag {
  int start;
  int end;
};

class NfaBuilder {
 public:
  std::vector<NfaState> states;

  int add() {
    states.emplace_back();
    return static_cast<int>(states.size()) - 1;
  }

  Frag build(const Node& n) {
    switch (n.kind) {
      case Node::kSet: {
        int s = add();
        int e = add();
        states[static_cast<std::size_t>(s)].mask = n.mask;
        states[static_cast<std::size_t>(s)].next = e;
        return {s, e};
      }
      case Node::kSeq: {
        int s = add();
        int cur = s;
        for (const auto& k : n.kids) {
          Frag f = build(k);
          link(cur, f.start);
          cur = f.end;
        }
        return {s, cur};
      }
      case Node::kAlt: {
        int s = add();
        int e = add();
        for (const auto& k : n.kids) {
          Frag f = build(k);
          link(s, f.start);
          link(f.end, e);
        }
        return {s, e};
      }
      case Node::kRepeat: {
        int s = add();
        int cur = s;
        for (int i = 0; i < n.min; ++i) {
          Frag f = build(n.kids.front());
          link(cur, f.start);
          cur = f.end;
        }
        int e = add();
        if (n.max < 0) {
          Frag f = build(n.kids.front());
          link(cur, f.start);
          link(f.end, cur);
          link(cur, e);
        } else {
          for (int i = n.min; i < n.max; ++i) {
            Frag f = build(n.kids.front());
            link(cur, f.start);
            link(cur, e);
            cur = f.end;
          }
          link(cur, e);
        }
        return {s, e};
      }
    }
    return {add(), add()};
  }

 private:
  void link(int from, int to) { states[static_cast<std::size_t>(from)].eps.push_back(to); }
};

void closure(const std::vector<NfaState>& nfa, std::vector<int>& set) {
  std::vector<char> seen(nfa.size(), 0);
  std::vector<int> stack(set.begin(), set.end());
  set.clear();
  while (!stack.empty()) {
    int s = stack.back();
    stack.pop_back();
    if (seen[static_cast<std::size_t>(s)]) continue;
    seen[static_cast<std::size_t>(s)] = 1;
    set.push_back(s);
    for (int t : nfa[static_cast<std::size_t>(s)].eps) stack.push_back(t);
  }
  std::sort(set.begin(), set.end());
}

}  // namespace

std::optional<DigitDfa> DigitDfa::compile(std::string_view pattern) {
  DigitDfa dfa;
  if (pattern.empty()) {
    // libphonenumber full-matches an empty pattern only against an empty number: never for us.
    dfa.never_ = true;
    dfa.next_.push_back({-1, -1, -1, -1, -1, -1, -1, -1, -1, -1});
    dfa.accept_.push_back(0);
    return dfa;
  }
  auto ast = Parser(pattern).parse();
  if (!ast) return std::nullopt;
  NfaBuilder nb;
  Frag f = nb.build(*ast);
  const auto& nfa = nb.states;

  // Subset construction over the 10-digit alphabet.
  std::map<std::vector<int>, std::int32_t> ids;
  std::vector<std::vector<int>> pending;
  std::vector<int> start{f.start};
  closure(nfa, start);
  ids.emplace(start, 0);
  pending.push_back(start);
  dfa.next_.emplace_back();
  dfa.accept_.push_back(std::binary_search(start.begin(), start.end(), f.end) ? 1 : 0);
  for (std::size_t i = 0; i < pending.size(); ++i) {
    std::vector<int> cur = pending[i];
    for (int d = 0; d < 10; ++d) {
      std::vector<int> nxt;
      for (int s : cur) {
        const auto& st = nfa[static_cast<std::size_t>(s)];
        if (st.mask & (1u << d)) nxt.push_back(st.next);
      }
      std::int32_t target = -1;
      if (!nxt.empty()) {
        closure(nfa, nxt);
        auto it = ids.find(nxt);
        if (it == ids.end()) {
          if (ids.size() > 200000) return std::nullopt;  // pathological: give up, use the library
          target = static_cast<std::int32_t>(ids.size());
          ids.emplace(nxt, target);
          dfa.next_.emplace_back();
          dfa.accept_.push_back(std::binary_search(nxt.begin(), nxt.end(), f.end) ? 1 : 0);
          pending.push_back(nxt);
        } else {
          target = it->second;
        }
      }
      dfa.next_[i][static_cast<std::size_t>(d)] = target;
    }
  }
  return dfa;
}

bool DigitDfa::full_match(std::string_view digits) const {
  std::int32_t s = 0;
  for (char c : digits) {
    auto d = static_cast<unsigned>(c - '0');
    if (d > 9) return false;
    s = next_[static_cast<std::size_t>(s)][d];
    if (s < 0) return false;
  }
  return accept_[static_cast<std::size_t>(s)] != 0;
}

bool DigitDfa::prefix_match(std::string_view digits) const {
  std::int32_t s = 0;
  if (accept_[0]) return true;
  for (char c : digits) {
    auto d = static_cast<unsigned>(c - '0');
    if (d > 9) return false;
    s = next_[static_cast<std::size_t>(s)][d];
    if (s < 0) return false;
    if (accept_[static_cast<std::size_t>(s)]) return true;
  }
  return false;
}

}  // namespace outdial::phone
