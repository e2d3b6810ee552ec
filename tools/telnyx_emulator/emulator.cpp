#include "emulator.hpp"

#include <cstring>

#include "emulator_impl.hpp"

namespace outdial::tools::telnyx {

TelnyxEmulator::TelnyxEmulator(EmulatorOptions options, net::HttpClient& http)
    : impl_(std::make_unique<Impl>(std::move(options), http)) {
  impl_->add_routes();
}

TelnyxEmulator::~TelnyxEmulator() { stop(); }

Status TelnyxEmulator::start() {
  net::ServerOptions so;
  so.address = impl_->opt.address;
  so.port = impl_->opt.port;
  so.threads = 2;
  so.server_name = "telnyx-emulator";
  impl_->server = std::make_unique<net::HttpServer>(so, impl_->router.as_handler());
  if (auto st = impl_->server->start(); !st) return st;
  impl_->started = Steady::now();
  impl_->scheduler = std::thread([this] { impl_->scheduler_loop(); });
  impl_->deliverer = std::thread([this] { impl_->delivery_loop(); });
  return ok_status();
}

void TelnyxEmulator::stop() {
  {
    std::lock_guard l(impl_->mu);
    if (impl_->stopping) return;
    impl_->stopping = true;
  }
  impl_->cv_sched.notify_all();
  impl_->cv_deliver.notify_all();
  if (impl_->scheduler.joinable()) impl_->scheduler.join();
  if (impl_->deliverer.joinable()) impl_->deliverer.join();
  if (impl_->server) impl_->server->stop();
}

std::uint16_t TelnyxEmulator::port() const { return impl_->server ? impl_->server->port() : 0; }

std::string TelnyxEmulator::base_url() const {
  return "http://" + impl_->opt.address + ":" + std::to_string(port()) + "/v2";
}

std::string TelnyxEmulator::public_key_base64() const { return public_key_base64(impl_->opt.connection_id); }

std::string TelnyxEmulator::public_key_base64(const std::string& connection_id) const {
  const auto account = impl_->account_named(connection_id);
  if (!account) return "";
  const auto& pk = impl_->accounts[*account].pk;
  std::string b64(sodium_base64_ENCODED_LEN(pk.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), pk.data(), pk.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  return b64;
}

std::string TelnyxEmulator::calls_json() const {
  std::lock_guard l(impl_->mu);
  json all = json::array();
  for (const auto& id : impl_->order) all.push_back(impl_->call_view(impl_->calls.at(id)));
  return all.dump();
}

Result<int> TelnyxEmulator::inject_inbound_sms(const std::string& url, const std::string& from, const std::string& to,
                                              const std::string& text, bool forge) {
  return impl_->inbound_sms(url, from, to, text, forge);
}

std::string TelnyxEmulator::messages_json() const {
  std::lock_guard l(impl_->mu);
  return impl_->messages.dump();
}

EmulatorStats TelnyxEmulator::stats() const {
  std::lock_guard l(impl_->mu);
  return impl_->st;
}

namespace {

// Re-sends webhook `index` of the call as first sent; `signer` (nullopt: the call's own account)
// is the account whose key signs it, unless `forge`.
Result<int> resend(TelnyxEmulator::Impl& impl, const std::string& call_control_id, std::size_t index,
                   std::int64_t timestamp_offset_s, bool forge, std::optional<std::size_t> signer) {
  std::string url, body;
  {
    std::lock_guard l(impl.mu);
    Call* c = impl.find(call_control_id);
    if (!c) return make_error(ErrorCode::kNotFound, "no such call", {{"call_control_id", call_control_id}});
    if (index >= c->webhooks.size()) return make_error(ErrorCode::kNotFound, "no such webhook", {{"index", std::to_string(index)}});
    body = c->webhooks[index].first_body.empty() ? c->webhooks[index].envelope.dump() : c->webhooks[index].first_body;
    url = c->webhook_url;
    if (!signer) signer = c->account;
  }
  const auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string ts = std::to_string(now_s + timestamp_offset_s);
  net::ClientRequest req;
  req.method = "POST";
  req.url = url;
  req.headers = {{"Content-Type", "application/json"},
                 {"telnyx-signature-ed25519", impl.sign(ts, body, *signer, forge)},
                 {"telnyx-timestamp", ts}};
  req.body = body;
  auto r = impl.http.send(req);
  if (!r) return r.error();
  return r->status;
}

}  // namespace

Result<int> TelnyxEmulator::redeliver(const std::string& call_control_id, std::size_t index,
                                      std::int64_t timestamp_offset_s, bool forge) {
  return resend(*impl_, call_control_id, index, timestamp_offset_s, forge, std::nullopt);
}

Result<int> TelnyxEmulator::redeliver_signed_by(const std::string& call_control_id, std::size_t index,
                                                const std::string& signer) {
  const auto account = impl_->account_named(signer);
  if (!account) return make_error(ErrorCode::kNotFound, "no such account", {{"connection_id", signer}});
  return resend(*impl_, call_control_id, index, 0, false, account);
}

bool TelnyxEmulator::wait_idle(int timeout_ms) {
  const auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
  while (Steady::now() < deadline) {
    {
      std::lock_guard l(impl_->mu);
      if (impl_->tasks.empty() && impl_->deliveries.empty() && impl_->in_flight == 0 && impl_->running_tasks == 0)
        return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace outdial::tools::telnyx
