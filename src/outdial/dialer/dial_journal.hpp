#pragma once
#include <vector>

#include "outdial/core/call.hpp"
#include "outdial/core/result.hpp"
#include "outdial/storage/compliance_store.hpp"

namespace outdial::dialer {

// One dial the runner is about to send: the attempt row exactly as created in the store's open
// transaction (id, key, numbers, attempt number, kQueued, no carrier call id) and the gate's
// allow decision that led to it.
struct JournaledDial {
  CallAttempt attempt;
  storage::DecisionRecord decision;
};

// The dial-intent log that lets the virtual-time driver commit the store in groups of turns
// instead of once per refill round (CampaignRunner::group). Before any dial of a round goes to
// the carrier, its records are appended here; they make the attempt durable in place of the
// store's commit, so a crash that loses the open store transaction cannot lose an attempt the
// carrier may have heard of. After the group's transaction commits the log is cleared. At
// restart (and after a failed group commit) the runner puts back every record whose attempt the
// store does not have (same id, same key, its decision, its target held by this node) before
// anything else, and the usual recovery resolves each by key with the carrier.
// One per dialer node: the log is this node's, like its lease owner name.
class DialJournal {
 public:
  virtual ~DialJournal() = default;
  // Every record is written (and synced, per the driver's sync mode) before this returns; on an
  // error nothing of this call may be relied on and the caller must not dial these attempts.
  virtual Status append(const std::vector<JournaledDial>& dials) = 0;
  // Every record appended since the last clear(), in order. A record cut short at the end (a
  // crash in the middle of a write) is not returned; a damaged record anywhere else is an error
  // (kInternal, details: path, offset), never skipped.
  virtual Result<std::vector<JournaledDial>> read() = 0;
  // Forgets every record (after the store committed them all).
  virtual Status clear() = 0;
};

}  // namespace outdial::dialer
