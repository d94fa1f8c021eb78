// Writes the demo network into the database in one transaction: an interrupted seed leaves
// nothing behind, and seeding twice is refused unless asked to replace the earlier demo data.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { DEFAULT_SCALE, SEED_EMAIL_DOMAIN, generateDemoData, type SeedScale } from './demo-data.js';

export interface SeedOptions {
  scale?: SeedScale;
  /** The hash every demo user's password gets (hashing thousands of times would take minutes). */
  passwordHash: string;
  /** Delete the earlier demo data first (only rows of demo users and their organizations). */
  reset?: boolean;
  /** Called as each table fills: `(table, done, total)`. */
  progress?: (table: string, done: number, total: number) => void;
}

export type SeedResult =
  | { seeded: false; existingUsers: number }
  | {
      seeded: true;
      removed: number;
      counts: Record<'users' | 'organizations' | 'memberships' | 'referrals' | 'invites', number>;
    };

const CHUNK = 500;

export async function seedDatabase(db: Kysely<DatabaseSchema>, options: SeedOptions): Promise<SeedResult> {
  const data = generateDemoData(options.scale ?? DEFAULT_SCALE);
  const progress = options.progress ?? (() => undefined);
  return db.transaction().execute(async (tx) => {
    const existing = await tx
      .selectFrom('users')
      .select('id')
      .where('email', 'like', `%@${SEED_EMAIL_DOMAIN}`)
      .execute();
    if (existing.length > 0 && !options.reset) return { seeded: false, existingUsers: existing.length };
    let removed = 0;
    if (existing.length > 0) {
      const ids = existing.map((row) => row.id);
      // Organizations go with their memberships, referrals and invites (ON DELETE CASCADE).
      await tx.deleteFrom('organizations').where('created_by', 'in', ids).execute();
      removed = Number(
        (await tx.deleteFrom('users').where('id', 'in', ids).executeTakeFirst()).numDeletedRows,
      );
    }

    const insertInChunks = async <Row, Out>(
      table: string,
      rows: Row[],
      insert: (chunk: Row[]) => Promise<Out[]>,
    ): Promise<Out[]> => {
      const out: Out[] = [];
      for (let start = 0; start < rows.length; start += CHUNK) {
        out.push(...(await insert(rows.slice(start, start + CHUNK))));
        progress(table, Math.min(start + CHUNK, rows.length), rows.length);
      }
      return out;
    };

    const userIds = await insertInChunks('users', data.users, async (chunk) =>
      (
        await tx
          .insertInto('users')
          .values(
            chunk.map((user) => ({
              email: user.email,
              display_name: user.displayName,
              password_hash: options.passwordHash,
              email_verified_at: new Date(),
            })),
          )
          .returning('id')
          .execute()
      ).map((row) => row.id),
    );
    const orgIds = await insertInChunks('organizations', data.organizations, async (chunk) =>
      (
        await tx
          .insertInto('organizations')
          .values(
            chunk.map((org) => ({
              name: org.name,
              description: org.description,
              created_by: userIds[org.members[0]!.user]!,
            })),
          )
          .returning('id')
          .execute()
      ).map((row) => row.id),
    );
    const memberships = data.organizations.flatMap((org, index) =>
      org.members.map((member) => ({
        organization_id: orgIds[index]!,
        user_id: userIds[member.user]!,
        role: member.role,
      })),
    );
    await insertInChunks('memberships', memberships, async (chunk) => {
      await tx.insertInto('memberships').values(chunk).execute();
      return [];
    });
    await insertInChunks('referrals', data.referrals, async (chunk) => {
      await tx
        .insertInto('referrals')
        .values(
          chunk.map((referral) => ({
            from_organization_id: orgIds[referral.from]!,
            to_organization_id: orgIds[referral.to]!,
            created_by: userIds[referral.createdBy]!,
            candidate_name: referral.candidateName,
            candidate_email: referral.candidateEmail,
            note: referral.note,
            status: referral.status,
            status_changed_by:
              referral.status === 'pending'
                ? null
                : userIds[data.organizations[referral.to]!.members[0]!.user]!,
            created_at: referral.createdAt,
            updated_at: referral.updatedAt,
          })),
        )
        .execute();
      return [];
    });
    await insertInChunks('invites', data.invites, async (chunk) => {
      await tx
        .insertInto('invites')
        .values(
          chunk.map((invite) => ({
            organization_id: orgIds[invite.organization]!,
            email: invite.email,
            role: invite.role,
            invited_by: userIds[invite.invitedBy]!,
            // Demo invites cannot be accepted: nobody holds their tokens.
            token_hash: createHash('sha256').update(randomBytes(32)).digest('hex'),
            created_at: invite.createdAt,
            expires_at: new Date(invite.createdAt.getTime() + 7 * 86_400_000),
          })),
        )
        .execute();
      return [];
    });
    return {
      seeded: true,
      removed,
      counts: {
        users: userIds.length,
        organizations: orgIds.length,
        memberships: memberships.length,
        referrals: data.referrals.length,
        invites: data.invites.length,
      },
    };
  });
}
