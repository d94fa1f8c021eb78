// Every cache tag the api writes, in one place: a write invalidates exactly the tags of what it changed.
export const cacheTags = {
  /** A user's profile (and their cached GET /me response). */
  user: (userId: string) => `user:${userId}`,
  /** An organization's details (name, description, member count). */
  organization: (organizationId: string) => `org:${organizationId}`,
  /** Every cached referral listing page of an organization, sent and received, any status. */
  referrals: (organizationId: string) => `org:${organizationId}:referrals`,
};
