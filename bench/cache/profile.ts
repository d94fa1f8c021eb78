// The cached value: what the Referral Network Hub caches most, a user's profile with their org
// memberships. JSON-shaped (dates as ISO strings) so every contender stores and returns the same data.

export interface OrgMembership {
  orgId: number;
  orgName: string;
  slug: string;
  role: 'owner' | 'admin' | 'member';
  joinedAt: string;
  permissions: string[];
  referralStats: { sent: number; accepted: number; lastReferralAt: string | null };
}

export interface UserProfile {
  id: number;
  email: string;
  displayName: string;
  headline: string;
  avatarUrl: string;
  locale: string;
  timezone: string;
  emailVerified: boolean;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string;
  settings: { digest: 'daily' | 'weekly' | 'never'; theme: 'light' | 'dark'; showEmail: boolean };
  skills: string[];
  memberships: OrgMembership[];
}

export function userProfile(id = 4242): UserProfile {
  return {
    id,
    email: `ada.lovelace+${id}@example.org`,
    displayName: 'Ada Lovelace',
    headline: 'Staff engineer, open to platform roles',
    avatarUrl: `https://cdn.example.org/avatars/${id}/3f9c2a7e.webp`,
    locale: 'en-GB',
    timezone: 'Europe/London',
    emailVerified: true,
    createdAt: '2023-03-14T09:26:53.589Z',
    updatedAt: '2025-10-02T17:45:12.004Z',
    lastLoginAt: '2025-11-24T08:01:44.312Z',
    settings: { digest: 'weekly', theme: 'dark', showEmail: false },
    skills: ['typescript', 'node.js', 'redis', 'postgresql'],
    memberships: [
      {
        orgId: 17,
        orgName: 'Analytical Engines Ltd',
        slug: 'analytical-engines',
        role: 'owner',
        joinedAt: '2023-03-14T09:30:00.000Z',
        permissions: ['referrals:write', 'members:manage', 'billing:manage'],
        referralStats: { sent: 48, accepted: 19, lastReferralAt: '2025-11-20T13:12:09.000Z' },
      },
      {
        orgId: 311,
        orgName: 'Difference Collective',
        slug: 'difference-collective',
        role: 'admin',
        joinedAt: '2024-01-08T15:04:05.000Z',
        permissions: ['referrals:write', 'members:invite'],
        referralStats: { sent: 12, accepted: 7, lastReferralAt: '2025-09-30T10:00:00.000Z' },
      },
      {
        orgId: 5120,
        orgName: 'Open Source Mentors',
        slug: 'oss-mentors',
        role: 'member',
        joinedAt: '2025-06-21T19:45:30.000Z',
        permissions: ['referrals:read'],
        referralStats: { sent: 0, accepted: 0, lastReferralAt: null },
      },
    ],
  };
}
