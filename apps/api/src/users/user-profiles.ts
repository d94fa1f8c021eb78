// Cached user profiles: read-mostly, shown on every page. Writes go through here so the cached copy
// (and the cached GET /me response, which carries the same tag) is invalidated with them.
import type { Cache } from '@rnh/cache';
import { cacheTags } from '../cache/tags.js';
import { isUuid } from '../db/uuid.js';
import type { User, UsersRepository } from './users-repository.js';

export interface UserProfilesDeps {
  users: UsersRepository;
  /** The `users` namespace of the api's cache. */
  cache: Cache;
}

// Unknown ids are cached briefly too, so a client polling a deleted user does not reach the database each time.
const MISSING_USER_TTL_SECONDS = 30;

export class UserProfiles {
  constructor(private readonly deps: UserProfilesDeps) {}

  async get(userId: string): Promise<User | undefined> {
    if (!isUuid(userId)) return undefined; // never a cache key made of arbitrary input
    const user = await this.deps.cache.getOrSet(
      `profile:${userId}`,
      async () => (await this.deps.users.findById(userId)) ?? null,
      { ttl: 'long', tags: [cacheTags.user(userId)], negativeTtlSeconds: MISSING_USER_TTL_SECONDS },
    );
    return user ?? undefined;
  }

  async rename(userId: string, displayName: string): Promise<User | undefined> {
    const user = await this.deps.users.updateDisplayName(userId, displayName);
    if (user) await this.changed(userId);
    return user;
  }

  /** Call after any write to the user's row (verification, rename). Never throws: see invalidateTags. */
  changed(userId: string): Promise<void> {
    return this.deps.cache.invalidateTags(cacheTags.user(userId));
  }
}
