// Every migration, in code: no filesystem glob, so they run the same from src/ (tsx) and dist/ (node).
import type { Migration, MigrationProvider } from 'kysely';
import { createUsers } from './001-create-users.js';
import { createNetwork } from './002-create-network.js';
import { createNotifications } from './003-create-notifications.js';
import { createOutbox } from './004-create-outbox.js';
import { notificationsOfInvites } from './005-notifications-of-invites.js';

/** Names sort in the order they run; never rename or edit one that has shipped, add a new one. */
export const migrations: Readonly<Record<string, Migration>> = {
  '001_create_users': createUsers,
  '002_create_network': createNetwork,
  '003_create_notifications': createNotifications,
  '004_create_outbox': createOutbox,
  '005_notifications_of_invites': notificationsOfInvites,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
};
