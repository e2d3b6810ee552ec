// The emulator's call engine: scripted callee behaviour, Call Control command effects,
// webhook signing and delivery with faults.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>
#include <cstring>
#include <ctime>

#include "emulator_impl.hpp"

namespace outdial::tools::telnyx {

namespace {

std::int64_t now_epoch_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string iso_micro(std::int64_t us) {
  const std::time_t secs = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us % 1'000'000));
  return buf;
}

namespace {

std::string iso_now_micro() { return iso_micro(now_epoch_us()); }

std::string base64(const unsigned char* data, std::size_t n) {
  std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool amd_on(const std::string& mode) { return !mode.empty() && mode != "disabled"; }
bool waits_for_beep(const std::string& mode) {
  return mode == "detect_beep" || mode == "greeting_end" || mode == "premium" || mode == "detect_words";
}

}  // namespace

TelnyxEmulator::Impl::Impl(EmulatorOptions o, net::HttpClient& h) : opt(std::move(o)), http(h), rng(opt.seed) {
  if (sodium_init() < 0) std::abort();  // no randomness source: cannot run at all
  auto seed_of = [this](const std::string& hex, const std::string& label) {
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
    if (hex.size() == 64) {
      for (std::size_t i = 0; i < seed.size(); ++i)
        seed[i] = static_cast<unsigned char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    } else {
      const std::string text = "outdial-telnyx-emulator:" + std::to_string(opt.seed) + label;
      crypto_generichash(seed.data(), seed.size(), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                         nullptr, 0);
    }
    return seed;
  };
  auto add_account = [&](const std::string& api_key, const std::string& connection_id,
                         const std::array<unsigned char, crypto_sign_SEEDBYTES>& seed,
                         const std::vector<std::string>& numbers) {
    Account a;
    a.api_key = api_key;
    a.connection_id = connection_id;
    a.numbers = numbers;
    crypto_sign_seed_keypair(a.pk.data(), a.sk.data(), seed.data());
    accounts.push_back(std::move(a));
  };
  auto seed = seed_of(opt.signing_seed_hex, "");
  add_account(opt.api_key, opt.connection_id, seed, {});
  for (const auto& extra : opt.accounts)
    add_account(extra.api_key, extra.connection_id, seed_of(extra.signing_seed_hex, ":" + extra.connection_id),
                extra.numbers);
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> fpk{};
  seed[0] ^= 0xff;  // a different key for forged signatures
  crypto_sign_seed_keypair(fpk.data(), forge_sk.data(), seed.data());
  randombytes_buf(media_key.data(), media_key.size());
  if (opt.speed <= 0) opt.speed = 1;
}

std::optional<std::size_t> TelnyxEmulator::Impl::account_of(const net::Request& r) {
  const std::string auth = r.header("Authorization");
  for (std::size_t i = 0; i < accounts.size(); ++i)
    if (auth == "Bearer " + accounts[i].api_key) return i;
  std::lock_guard l(mu);
  ++st.unauthorized;
  return std::nullopt;
}

std::optional<std::size_t> TelnyxEmulator::Impl::account_named(const std::string& connection_id) const {
  for (std::size_t i = 0; i < accounts.size(); ++i)
    if (accounts[i].connection_id == connection_id) return i;
  return std::nullopt;
}

std::int64_t TelnyxEmulator::Impl::carrier_now_ms() const {
  const auto real = std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - started).count();
  return static_cast<std::int64_t>(static_cast<double>(real) * opt.speed / 1000.0);
}

void TelnyxEmulator::Impl::at(int carrier_ms, std::function<void()> fn) {
  const auto real_us = static_cast<std::int64_t>(static_cast<double>(carrier_ms) * 1000.0 / opt.speed);
  tasks.push(Task{Steady::now() + std::chrono::microseconds(real_us), task_seq++, std::move(fn)});
  cv_sched.notify_all();
}

void TelnyxEmulator::Impl::scheduler_loop() {
  std::unique_lock l(mu);
  while (!stopping) {
    if (tasks.empty()) {
      cv_sched.wait(l);
      continue;
    }
    const auto due = tasks.top().due;
    if (Steady::now() < due) {
      cv_sched.wait_until(l, due);
      continue;
    }
    auto fn = tasks.top().fn;
    tasks.pop();
    ++running_tasks;
    fn();  // runs with the lock held: tasks only mutate state and queue webhooks
    --running_tasks;
  }
}

void TelnyxEmulator::Impl::delivery_loop() {
  std::unique_lock l(mu);
  while (!stopping) {
    if (deliveries.empty()) {
      cv_deliver.wait(l);
      continue;
    }
    Delivery d = deliveries.front();
    deliveries.pop_front();
    ++in_flight;
    l.unlock();
    deliver(d.call_id, d.index, d.attempt);
    l.lock();
    --in_flight;
  }
}

std::string TelnyxEmulator::Impl::new_id(const char* prefix) {
  const std::uint64_t a = rng(), b = rng();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%08llx-%04llx-4%03llx-a%03llx-%012llx", prefix,
                static_cast<unsigned long long>(a >> 32), static_cast<unsigned long long>((a >> 16) & 0xffff),
                static_cast<unsigned long long>(a & 0xfff), static_cast<unsigned long long>(b >> 52),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

Call* TelnyxEmulator::Impl::find(const std::string& id) {
  auto it = calls.find(id);
  return it == calls.end() ? nullptr : &it->second;
}

std::string TelnyxEmulator::Impl::sign(const std::string& timestamp, const std::string& body, std::size_t account,
                                       bool forge) const {
  const std::string message = timestamp + "|" + body;
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       forge ? forge_sk.data() : accounts.at(account).sk.data());
  return base64(sig.data(), sig.size());
}

void TelnyxEmulator::Impl::emit(Call& c, const std::string& type, json extra, const std::string& client_state) {
  json payload{{"call_control_id", c.id},
               {"call_leg_id", c.leg_id},
               {"call_session_id", c.session_id},
               {"connection_id", accounts.at(c.account).connection_id},
               {"client_state", client_state.empty() ? c.client_state : client_state},
               {"from", c.from},
               {"to", c.to},
               {"direction", "outgoing"},
               {"start_time", iso_now_micro()}};
  for (auto& [k, v] : extra.items()) payload[k] = v;
  SentWebhook w;
  w.event_type = type;
  w.id = new_id();
  w.envelope = json{{"data", {{"record_type", "event"}, {"event_type", type}, {"id", w.id},
                              {"occurred_at", iso_now_micro()}, {"payload", payload}}},
                    {"meta", {{"attempt", 1}, {"delivered_to", c.webhook_url}}}};
  c.webhooks.push_back(std::move(w));
  const std::size_t index = c.webhooks.size() - 1;
  const Faults& f = opt.script.faults;
  auto queue = [this, id = c.id, f](std::size_t i) {
    std::uniform_real_distribution<double> u(0, 1);
    const bool dup = f.duplicate_rate > 0 && u(rng) < f.duplicate_rate;
    auto push = [this, id, i, dup] {
      enqueue(id, i, 1);
      if (dup) enqueue(id, i, 1);
    };
    if (f.delay_ms > 0) at(f.delay_ms, push); else push();
  };
  if (!f.out_of_order) {
    queue(index);
    return;
  }
  // Out of order: hold one webhook until the next one of the same call went first.
  if (c.held < 0) {
    c.held = static_cast<std::int64_t>(index);
    at(f.hold_ms, [this, id = c.id, index, queue] {
      Call* call = find(id);
      if (call && call->held == static_cast<std::int64_t>(index)) {
        call->held = -1;
        queue(index);
      }
    });
  } else {
    const auto held = static_cast<std::size_t>(c.held);
    c.held = -1;
    queue(index);
    queue(held);
  }
}

void TelnyxEmulator::Impl::enqueue(const std::string& call_id, std::size_t index, int attempt) {
  deliveries.push_back(Delivery{call_id, index, attempt});
  cv_deliver.notify_all();
}

void TelnyxEmulator::Impl::deliver(const std::string& call_id, std::size_t index, int attempt) {
  std::string url, body;
  std::size_t account = 0;
  {
    std::lock_guard l(mu);
    Call* c = find(call_id);
    if (!c || index >= c->webhooks.size()) return;
    auto& w = c->webhooks[index];
    w.envelope["meta"]["attempt"] = attempt;
    body = w.envelope.dump();
    if (w.first_body.empty()) w.first_body = body;
    url = c->webhook_url;
    account = c->account;
  }
  const std::string ts = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  net::ClientRequest req;
  req.method = "POST";
  req.url = url;
  req.headers = {{"Content-Type", "application/json"},
                 {"telnyx-signature-ed25519", sign(ts, body, account, false)},
                 {"telnyx-timestamp", ts},
                 {"User-Agent", "telnyx-webhooks (outdial emulator)"}};
  req.body = body;
  req.timeout = std::chrono::milliseconds(10'000);
  auto r = url.empty() ? Result<net::ClientResponse>(make_error(ErrorCode::kInvalidArgument, "no webhook_url"))
                       : http.send(req);
  const int status = r ? r->status : 0;
  std::lock_guard l(mu);
  ++st.webhooks_sent;
  Call* c = find(call_id);
  if (c && index < c->webhooks.size()) c->webhooks[index].statuses.push_back(status);
  if (status >= 200 && status < 300) return;
  ++st.webhooks_failed;
  if (attempt <= opt.script.faults.max_retries && !url.empty() && !stopping)
    at(opt.script.faults.retry_backoff_ms * attempt, [this, call_id, index, attempt] { enqueue(call_id, index, attempt + 1); });
}

Result<int> TelnyxEmulator::Impl::inbound_sms(const std::string& url, const std::string& from, const std::string& to,
                                              const std::string& text, bool forge) {
  // Telnyx's default opt-in/out handling (developers.telnyx.com, Advanced Opt-In/Out, "Default
  // behavior"): whole-message keywords, case-insensitive; the text is still forwarded.
  std::string word;
  for (char ch : text) {
    if (ch != ' ' || !word.empty()) word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  }
  while (!word.empty() && word.back() == ' ') word.pop_back();
  static const std::set<std::string> kOptOut = {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"};
  static const std::set<std::string> kOptIn = {"START", "UNSTOP"};
  std::string body;
  std::size_t account = 0;  // the receiving number's account signs the webhook
  for (std::size_t i = 1; i < accounts.size(); ++i)
    if (std::find(accounts[i].numbers.begin(), accounts[i].numbers.end(), to) != accounts[i].numbers.end()) account = i;
  {
    std::lock_guard l(mu);
    const std::string pair = to + "|" + from;
    std::string autoresponse;
    if (kOptOut.count(word) != 0) {
      blocked.insert(pair);
      autoresponse = "opt_out";
    } else if (kOptIn.count(word) != 0) {
      blocked.erase(pair);
      autoresponse = "opt_in";
    }
    const std::string id = new_id();
    json payload{{"record_type", "message"},
                 {"direction", "inbound"},
                 {"id", id},
                 {"type", "SMS"},
                 {"messaging_profile_id", "emulator-messaging-profile"},
                 {"from", {{"phone_number", from}, {"carrier", "EMULATED"}, {"line_type", "Wireless"}}},
                 {"to", json::array({{{"phone_number", to}, {"status", "webhook_delivered"}}})},
                 {"text", text},
                 {"media", json::array()},
                 {"encoding", "GSM-7"},
                 {"parts", 1},
                 {"received_at", iso_now_micro()}};
    json envelope{{"data", {{"record_type", "event"}, {"event_type", "message.received"}, {"id", new_id()},
                            {"occurred_at", iso_now_micro()}, {"payload", payload}}},
                  {"meta", {{"attempt", 1}, {"delivered_to", url}}}};
    body = envelope.dump();
    json record = payload;
    record["autoresponse"] = autoresponse;  // what Telnyx itself answered ("" = nothing)
    messages.push_back(record);
  }
  const std::string ts = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  net::ClientRequest req;
  req.method = "POST";
  req.url = url;
  req.headers = {{"Content-Type", "application/json"},
                 {"telnyx-signature-ed25519", sign(ts, body, account, forge)},
                 {"telnyx-timestamp", ts}};
  req.body = body;
  auto r = http.send(req);
  if (!r) return r.error();
  return r->status;
}

std::int64_t TelnyxEmulator::Impl::active_calls(std::size_t account) const {
  std::int64_t n = 0;
  for (const auto& [id, c] : calls) n += (!c.ended && !c.agent_leg && c.account == account) ? 1 : 0;
  return n;
}

Call& TelnyxEmulator::Impl::create_call(const json& req, const CalleeBehaviour& b, std::size_t account) {
  Call c;
  c.account = account;
  c.id = "v3:" + new_id();
  c.leg_id = new_id();
  c.session_id = new_id();
  c.to = req.value("to", "");
  c.from = req.value("from", "");
  c.client_state = req.value("client_state", "");
  c.webhook_url = req.value("webhook_url", opt.default_webhook_url);
  c.amd = req.value("answering_machine_detection", "disabled");
  c.command_id = req.value("command_id", "");
  c.record = req.value("record", "") == "record-from-answer";
  c.timeout_secs = req.value("timeout_secs", 30);
  c.behaviour = b;
  c.start_epoch_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  order.push_back(c.id);
  return calls[c.id] = std::move(c);
}

void TelnyxEmulator::Impl::start_call(Call& c, bool over_limit) {
  emit(c, "call.initiated", {{"state", "parked"}});
  const std::string id = c.id;
  if (over_limit) {
    // §7: over the account's concurrent-call limit the carrier refuses with SIP 403.
    at(50, [this, id] {
      if (Call* x = find(id)) end_call(*x, "call_rejected", "unknown", "403");
    });
    return;
  }
  const auto& b = c.behaviour;
  if (b.answer == "busy") {
    at(b.ring_ms, [this, id] { if (Call* x = find(id)) end_call(*x, "user_busy", "callee", "486"); });
  } else if (b.answer == "no_answer") {
    at(c.timeout_secs * 1000, [this, id] { if (Call* x = find(id)) end_call(*x, "timeout", "unknown", "487"); });
  } else if (b.answer == "failed") {
    at(b.ring_ms, [this, id] { if (Call* x = find(id)) end_call(*x, "not_found", "unknown", "404"); });
  } else if (b.answer == "reject") {
    at(b.ring_ms, [this, id] { if (Call* x = find(id)) end_call(*x, "call_rejected", "callee", "603"); });
  } else {
    at(b.ring_ms, [this, id] { answer(id); });
  }
}

void TelnyxEmulator::Impl::answer(const std::string& id) {
  Call* c = find(id);
  if (!c || c->ended || c->answered) return;
  c->answered = true;
  c->answered_epoch_us = now_epoch_us();
  c->state = "answered";
  c->machine = c->behaviour.answer == "machine";
  emit(*c, "call.answered", {{"state", "answered"}});
  const auto& b = c->behaviour;
  if (amd_on(c->amd)) {
    at(b.amd_ms, [this, id] {
      Call* x = find(id);
      if (!x || x->ended) return;
      const bool premium = x->amd == "premium";
      std::string result = x->behaviour.amd_result;
      if (result.empty()) result = x->machine ? "machine" : (premium ? "human_residence" : "human");
      emit(*x, premium ? "call.machine.premium.detection.ended" : "call.machine.detection.ended", {{"result", result}});
      if (result != "machine") return;
      if (x->gather_active) {  // Telnyx cancels a running gather when AMD says machine
        x->gather_active = false;
        emit(*x, "call.gather.ended", {{"digits", ""}, {"status", "cancelled_amd"}}, x->gather_client_state);
      }
      if (waits_for_beep(x->amd)) {
        at(x->behaviour.greeting_ms, [this, id, premium] {
          Call* y = find(id);
          if (y && !y->ended)
            emit(*y, premium ? "call.machine.premium.greeting.ended" : "call.machine.greeting.ended",
                 {{"result", "beep_detected"}});
        });
      }
    });
  }
  if (b.hangup_after_ms > 0) {
    at(b.hangup_after_ms, [this, id] { if (Call* x = find(id)) end_call(*x, "normal_clearing", "callee", "200"); });
  }
}

void TelnyxEmulator::Impl::end_call(Call& c, const std::string& cause, const std::string& source, const std::string& sip) {
  if (c.ended) return;
  c.ended = true;
  c.state = "ended";
  c.gather_active = false;
  c.hangup_cause = cause;
  c.hangup_source = source;
  emit(c, "call.hangup", {{"hangup_cause", cause}, {"hangup_source", source}, {"sip_hangup_cause", sip}});
  if (c.record && c.answered && !c.agent_leg) {
    // record-from-answer: the file is ready once the call ended (call.recording.saved).
    c.recording_id = new_id();
    c.recording_ended_epoch_us = now_epoch_us();
    const std::string url = "https://recordings.telnyx-emulator.test/" + c.recording_id;
    emit(c, "call.recording.saved",
         {{"recording_id", c.recording_id},
          {"channels", "single"},
          {"recording_started_at", iso_micro(c.answered_epoch_us)},
          {"recording_ended_at", iso_now_micro()},
          {"recording_urls", {{"mp3", url + ".mp3"}, {"wav", url + ".wav"}}},
          {"public_recording_urls", json::object()}});
  }
  if (!c.bridged_with.empty()) {
    if (Call* other = find(c.bridged_with)) end_call(*other, "normal_clearing", source == "callee" ? "caller" : "callee", "200");
  }
}

json TelnyxEmulator::Impl::command(Call& c, const std::string& action, const json& body) {
  const std::string cs = body.value("client_state", "");
  if (!cs.empty()) c.client_state = cs;  // later webhooks echo the latest command's state
  json rec{{"action", action}, {"command_id", body.value("command_id", "")}, {"at_ms", carrier_now_ms()}};
  const std::string id = c.id;
  if (action == "speak" || action == "gather_using_speak") {
    const std::string text = body.value("payload", "");
    rec["payload"] = text;
    c.spoken.push_back(text);
    if (action == "speak") {
      emit(c, "call.speak.started", json::object(), cs);
      at(opt.speak_ms, [this, id, cs] {
        if (Call* x = find(id); x && !x->ended) emit(*x, "call.speak.ended", {{"status", "completed"}}, cs);
      });
    } else {
      c.gather_active = true;
      c.gather_client_state = cs;
      const int gen = ++c.gather_gen;
      const std::size_t menu = c.menus++;
      const int timeout = body.value("timeout_millis", 60000);
      std::string digits;
      if (!c.machine && menu < c.behaviour.digits.size()) digits = c.behaviour.digits[menu];
      const int when = digits.empty() ? opt.speak_ms + timeout : opt.speak_ms + c.behaviour.digits_after_ms;
      at(when, [this, id, gen, digits, cs] {
        Call* x = find(id);
        if (!x || x->ended || !x->gather_active || x->gather_gen != gen) return;
        x->gather_active = false;
        for (char d : digits) {
          x->digits_sent.push_back(std::string(1, d));
          emit(*x, "call.dtmf.received", {{"digit", std::string(1, d)}}, cs);
        }
        emit(*x, "call.gather.ended", {{"digits", digits}, {"status", digits.empty() ? "timeout" : "valid"}}, cs);
      });
    }
  } else if (action == "playback_start") {
    const std::string url = body.value("audio_url", "");
    rec["audio_url"] = url;
    c.played.push_back(url);
    emit(c, "call.playback.started", {{"media_url", url}}, cs);
    at(opt.speak_ms, [this, id, cs, url] {
      if (Call* x = find(id); x && !x->ended) emit(*x, "call.playback.ended", {{"media_url", url}, {"status", "completed"}}, cs);
    });
  } else if (action == "transfer") {
    c.transferred_to = body.value("to", "");
    c.transfer_from = body.value("from", c.to);
    rec["to"] = c.transferred_to;
    rec["from"] = c.transfer_from;
    json leg{{"to", c.transferred_to}, {"from", c.transfer_from}, {"client_state", body.value("target_leg_client_state", "")},
             {"webhook_url", c.webhook_url}, {"answering_machine_detection", "disabled"}};
    Call& b = create_call(leg, CalleeBehaviour{}, c.account);  // the transfer's leg is the same account's
    b.agent_leg = true;
    b.parent = id;
    const std::string bid = b.id;
    emit(b, "call.initiated", {{"state", "bridging"}});
    const AgentBehaviour agent = opt.script.agent;
    at(agent.ring_ms, [this, id, bid, agent] {
      Call* a = find(id);
      Call* leg_b = find(bid);
      if (!a || !leg_b || leg_b->ended) return;
      if (!agent.answers || a->ended) {
        end_call(*leg_b, a->ended ? "originator_cancel" : "timeout", "unknown", "487");
        return;
      }
      leg_b->answered = true;
      leg_b->state = "answered";
      emit(*leg_b, "call.answered", {{"state", "answered"}});
      a->bridged_with = bid;
      leg_b->bridged_with = id;
      emit(*a, "call.bridged");
      emit(*leg_b, "call.bridged");
      if (agent.hangup_after_ms > 0)
        at(agent.hangup_after_ms, [this, bid] { if (Call* x = find(bid)) end_call(*x, "normal_clearing", "callee", "200"); });
    });
  } else if (action == "bridge") {
    const std::string other = body.value("call_control_id", "");
    rec["call_control_id"] = other;
    Call* o = find(other);
    if (o && !o->ended) {
      c.bridged_with = other;
      o->bridged_with = id;
      emit(c, "call.bridged");
      emit(*o, "call.bridged");
    }
  } else if (action == "hangup") {
    at(0, [this, id] { if (Call* x = find(id)) end_call(*x, "normal_clearing", "caller", "200"); });
  }
  c.commands.push_back(rec);
  return json{{"data", {{"result", "ok"}}}};
}

json TelnyxEmulator::Impl::call_view(const Call& c) const {
  json hooks = json::array();
  for (const auto& w : c.webhooks)
    hooks.push_back({{"event_type", w.event_type}, {"id", w.id}, {"statuses", w.statuses}});
  return json{{"call_control_id", c.id},
              {"connection_id", accounts.at(c.account).connection_id},
              {"call_leg_id", c.leg_id},
              {"call_session_id", c.session_id},
              {"to", c.to},
              {"from", c.from},
              {"command_id", c.command_id},
              {"recording_id", c.recording_id},
              {"client_state", c.client_state},
              {"answering_machine_detection", c.amd},
              {"timeout_secs", c.timeout_secs},
              {"behaviour", c.behaviour.answer},
              {"agent_leg", c.agent_leg},
              {"parent", c.parent},
              {"state", c.state},
              {"hangup_cause", c.hangup_cause},
              {"hangup_source", c.hangup_source},
              {"commands", c.commands},
              {"spoken", c.spoken},
              {"played", c.played},
              {"digits_sent", c.digits_sent},
              {"transferred_to", c.transferred_to},
              {"transfer_from", c.transfer_from},
              {"bridged_with", c.bridged_with},
              {"webhooks", hooks}};
}

}  // namespace outdial::tools::telnyx
