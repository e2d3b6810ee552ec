#include "unit/dialer/dialer_fixture.hpp"

namespace outdial::dialer {
namespace {

using ServiceTest = DialerFixture;

TEST_F(ServiceTest, CreateValidatesAndNamesTheField) {
  Campaign c = draft();
  c.caller_id = "555";
  auto r = service->create(staff, c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().details.at("field"), "caller_id");
  c = draft();
  c.name.clear();
  EXPECT_EQ(service->create(staff, c).error().details.at("field"), "name");
  c = draft();
  c.list_id = 999;
  EXPECT_EQ(service->create(staff, c).error().details.at("field"), "list_id");
  c = draft();
  c.retry.busy.max_attempts = 0;
  EXPECT_EQ(service->create(staff, c).error().details.at("field"), "retry.busy.max_attempts");
}

TEST_F(ServiceTest, OnlyStaffCreateAndActivate) {
  Actor agent = staff;
  agent.role = Role::kAgent;
  EXPECT_EQ(service->create(viewer, draft()).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service->create(agent, draft()).error().code, ErrorCode::kPermissionDenied);
  add_contacts(3);
  auto c = service->create(staff, draft());
  ASSERT_TRUE(c);
  EXPECT_EQ(service->activate(agent, c->id).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service->activate(viewer, c->id).error().code, ErrorCode::kPermissionDenied);
  auto a = service->activate(staff, c->id);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, CampaignStatus::kActive);
  EXPECT_EQ(a->activated_by, staff.user_id);
  EXPECT_EQ(a->activated_at, kT0);
  EXPECT_EQ(db.campaigns().count_targets(c->id)->total, 3);
  EXPECT_EQ(service->activate(staff, c->id).error().code, ErrorCode::kFailedPrecondition);
  auto audit = db.audit().list(staff.tenant_id, "campaign", 0, 10);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].action, "campaign.activate");
  EXPECT_EQ((*audit)[0].actor, "user:1");
}

TEST_F(ServiceTest, ViewerNeverMutatesButReads) {
  add_contacts(1);
  Campaign c = make_active(draft());
  EXPECT_EQ(service->pause(viewer, c.id).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service->stop(viewer, c.id).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service->resume(viewer, c.id).error().code, ErrorCode::kPermissionDenied);
  EXPECT_TRUE(service->get(viewer, c.id));
  EXPECT_TRUE(service->progress(viewer, c.id));
  EXPECT_EQ(service->list(viewer)->size(), 1u);
}

TEST_F(ServiceTest, OtherTenantSeesNotFound) {
  add_contacts(1);
  Campaign c = make_active(draft());
  Actor other{9, staff.tenant_id + 100, Role::kOperatorAdmin, "user:9"};
  EXPECT_EQ(service->get(other, c.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service->pause(other, c.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service->activate(other, c.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service->progress(other, c.id).error().code, ErrorCode::kNotFound);
}

TEST_F(ServiceTest, PauseResumeStopTransitions) {
  add_contacts(1);
  Campaign c = make_active(draft());
  EXPECT_EQ(service->resume(staff, c.id).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(service->pause(staff, c.id)->status, CampaignStatus::kPaused);
  EXPECT_EQ(service->pause(staff, c.id).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(service->resume(staff, c.id)->status, CampaignStatus::kActive);
  EXPECT_EQ(service->stop(staff, c.id)->status, CampaignStatus::kStopped);
  EXPECT_EQ(service->resume(staff, c.id).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(service->stop(staff, c.id).error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(ServiceTest, ExpiredCampaignCannotActivate) {
  add_contacts(1);
  Campaign d = draft();
  d.expires_at = kT0 + std::chrono::hours(1);
  auto c = service->create(staff, d);
  ASSERT_TRUE(c);
  clock.advance(std::chrono::hours(2));
  EXPECT_EQ(service->activate(staff, c->id).error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace outdial::dialer
