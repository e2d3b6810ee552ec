#pragma once
#include <cstdint>

namespace outdial {
// Row ids as issued by the store. 0 means "not yet stored".
using TenantId = std::int64_t;
using UserId = std::int64_t;
using ContactId = std::int64_t;
using ListId = std::int64_t;
using CampaignId = std::int64_t;
using AttemptId = std::int64_t;
using ConsentId = std::int64_t;
}  // namespace outdial
