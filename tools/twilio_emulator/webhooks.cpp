// Outgoing webhooks: signing, ordered delivery per call, and the injected faults (duplicate,
// delayed, reordered deliveries; redelivery when outdial answers 5xx or cannot be reached).
#include "outdial/telephony/twilio/twilio_signature.hpp"

#include "emulator_impl.hpp"

namespace outdial::twilio_emulator {

std::string TwilioEmulator::Impl::new_token() {
  std::uniform_int_distribution<int> hex(0, 15);
  std::string t;
  for (int i = 0; i < 32; ++i) t.push_back("0123456789abcdef"[hex(rng)]);
  return t.substr(0, 8) + "-" + t.substr(8, 4) + "-" + t.substr(12, 4) + "-" + t.substr(16, 4) + "-" + t.substr(20);
}

Result<net::ClientResponse> TwilioEmulator::Impl::send_now(WebhookRecord rec, const std::string& idempotency_token) {
  net::ClientRequest req;
  req.method = rec.method;
  req.timeout = opts.webhook_timeout;
  // The URL exactly as outdial gave it (a fragment is never sent, so never signed).
  std::string url = rec.url.substr(0, rec.url.find('#'));
  std::string signature;
  if (rec.method == "GET") {
    // GET: the parameters travel in the query and the signature covers the URL alone (§3).
    if (!rec.params.empty()) url += (url.find('?') == std::string::npos ? "?" : "&") + net::form_encode(rec.params);
    signature = telephony::twilio::compute_signature(opts.auth_token, url, {});
  } else {
    req.body = net::form_encode(rec.params);
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    signature = telephony::twilio::compute_signature(opts.auth_token, url, rec.params);
  }
  req.url = url;
  req.headers.emplace_back("X-Twilio-Signature", signature);
  req.headers.emplace_back("I-Twilio-Idempotency-Token", idempotency_token);
  req.headers.emplace_back("User-Agent", "TwilioProxy/1.1");
  req.headers.emplace_back("Accept", "*/*");
  rec.url = url;
  rec.signature = signature;
  rec.at = sched.now();
  auto res = http.send(req);
  std::lock_guard lock(mu);
  if (res.ok()) {
    rec.http_status = res.value().status;
  } else {
    rec.error = res.error().message;
  }
  log_line(rec.call_sid, rec.kind + " " + rec.method + " " + rec.url +
                             (rec.sequence >= 0 ? " seq=" + std::to_string(rec.sequence) : "") +
                             (rec.duplicate ? " (duplicate)" : "") +
                             (rec.attempt > 1 ? " attempt=" + std::to_string(rec.attempt) : "") + " -> " +
                             (res.ok() ? std::to_string(rec.http_status) : "error: " + rec.error));
  webhooks.push_back(std::move(rec));
  return res;
}

void TwilioEmulator::Impl::post_async(Outgoing o) {
  const WebhookFaults& f = script.webhook_faults;
  o.retries_left = f.retries_on_5xx;
  if (o.idempotency_token.empty()) o.idempotency_token = new_token();
  const std::string key = o.rec.call_sid;
  std::vector<Outgoing> batch;
  if (o.rec.kind == "status" && !o.terminal && held.count(key) == 0 && f.reorder > 0 && uniform() < f.reorder) {
    log_line(key, "fault: status callback seq=" + std::to_string(o.rec.sequence) + " held back until the next one");
    held.emplace(key, std::move(o));
    return;
  }
  const bool dup = f.duplicate > 0 && uniform() < f.duplicate;
  const bool delay = f.delay > 0 && uniform() < f.delay;
  batch.push_back(o);
  if (dup) {
    Outgoing copy = o;
    copy.rec.duplicate = true;
    batch.push_back(std::move(copy));
    log_line(key, "fault: " + o.rec.kind + " callback delivered twice");
  }
  if (auto h = held.find(key); h != held.end()) {  // the reordered one goes after this
    batch.push_back(std::move(h->second));
    held.erase(h);
  }
  if (delay) {
    log_line(key, "fault: " + o.rec.kind + " callback delayed " + std::to_string(f.delay_seconds) + " s");
    for (auto& b : batch) {
      sched.after(Millis(static_cast<std::int64_t>(f.delay_seconds * 1000)),
                  [this, b]() mutable { deliver_unordered(std::move(b)); });
    }
    return;
  }
  auto& q = outbox[key];
  for (auto& b : batch) q.push_back(std::move(b));
  if (outbox_busy.insert(key).second) sched.after(Millis(0), [this, key] { drain(key); });
}

void TwilioEmulator::Impl::release_held(const std::string& key) {
  auto h = held.find(key);
  if (h == held.end()) return;
  outbox[key].push_back(std::move(h->second));
  held.erase(h);
  if (outbox_busy.insert(key).second) sched.after(Millis(0), [this, key] { drain(key); });
}

void TwilioEmulator::Impl::drain(const std::string& key) {
  for (;;) {
    Outgoing o;
    {
      std::lock_guard lock(mu);
      auto it = outbox.find(key);
      if (it == outbox.end() || it->second.empty()) {
        outbox.erase(key);
        outbox_busy.erase(key);
        return;
      }
      o = std::move(it->second.front());
      it->second.pop_front();
    }
    deliver_unordered(std::move(o));
  }
}

void TwilioEmulator::Impl::deliver_unordered(Outgoing o) {
  auto res = send_now(o.rec, o.idempotency_token);
  const bool failed = !res.ok() || res.value().status >= 500;
  if (!failed) return;
  std::lock_guard lock(mu);
  if (o.retries_left <= 0) {
    log_line(o.rec.call_sid, o.rec.kind + " callback given up after " + std::to_string(o.rec.attempt) + " attempt(s)");
    return;
  }
  o.retries_left--;
  o.rec.attempt++;
  o.rec.duplicate = false;
  const auto wait = Millis(static_cast<std::int64_t>(script.webhook_faults.retry_seconds * 1000));
  sched.after(wait, [this, o]() mutable { deliver_unordered(std::move(o)); });
}

}  // namespace outdial::twilio_emulator
