// The api's cache namespaces (each a `cache` metric label): keys `<prefix>cache:<namespace>:...`.
export const cacheNamespaces = {
  users: 'users',
  organizations: 'orgs',
  referrals: 'referrals',
  /** Whole HTTP responses (responseCache). */
  responses: 'http',
} as const;
