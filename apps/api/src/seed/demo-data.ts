// Realistic demo data for the referral network, generated from a seed so every run makes the
// same network: people, organizations with members, and a year of referrals between them.
import type { MemberRole, ReferralStatus } from '../db/schema.js';

export const SEED_EMAIL_DOMAIN = 'seed.example.com';

export interface SeedScale {
  users: number;
  organizations: number;
  referrals: number;
  invites: number;
}

/** The default: thousands of rows, enough for pagination and cache behaviour to matter. */
export const DEFAULT_SCALE: SeedScale = { users: 800, organizations: 120, referrals: 6000, invites: 300 };

export interface DemoUser {
  email: string;
  displayName: string;
}
export interface DemoOrganization {
  name: string;
  description: string;
  /** Indexes into the users: the first is the owner. */
  members: { user: number; role: MemberRole }[];
}
export interface DemoReferral {
  from: number;
  to: number;
  createdBy: number;
  candidateName: string;
  candidateEmail: string | null;
  note: string;
  status: ReferralStatus;
  createdAt: Date;
  updatedAt: Date;
}
export interface DemoInvite {
  organization: number;
  email: string;
  role: 'admin' | 'member';
  invitedBy: number;
  createdAt: Date;
}

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Katherine',
  'Linus',
  'Margaret',
  'Dennis',
  'Barbara',
  'Ken',
  'Frances',
  'Tim',
  'Radia',
  'Donald',
  'Hedy',
  'John',
  'Shafi',
  'Edsger',
  'Sophie',
  'Guido',
  'Anita',
  'Bjarne',
  'Jean',
  'Niklaus',
  'Karen',
  'Yukihiro',
  'Mary',
  'Leslie',
  'Joan',
  'Vint',
  'Lynn',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Johnson',
  'Torvalds',
  'Hamilton',
  'Ritchie',
  'Liskov',
  'Thompson',
  'Allen',
  'Berners-Lee',
  'Perlman',
  'Knuth',
  'Lamarr',
  'McCarthy',
  'Goldwasser',
  'Dijkstra',
  'Wilson',
  'van Rossum',
  'Borg',
  'Stroustrup',
  'Sammet',
  'Wirth',
  'Spärck Jones',
  'Matsumoto',
  'Keller',
  'Lamport',
  'Clarke',
  'Cerf',
  'Conway',
];
const ORG_WORDS = [
  'Northwind',
  'Bluebird',
  'Cedar',
  'Harbor',
  'Summit',
  'Lantern',
  'Meridian',
  'Orchard',
  'Granite',
  'Beacon',
  'Willow',
  'Atlas',
  'Juniper',
  'Quarry',
  'Riverside',
  'Falcon',
];
const ORG_KINDS = [
  'Health',
  'Legal',
  'Talent',
  'Care',
  'Partners',
  'Clinic',
  'Advisors',
  'Collective',
  'Network',
  'Services',
];
const NOTES = [
  'Strong fit for the open role we discussed.',
  'Relocating next quarter; prefers hybrid work.',
  'Referred by a long-time client.',
  'Needs an answer within two weeks.',
  'Spoke at the spring meetup; very well received.',
  '',
];
const STATUS_WEIGHTS: [ReferralStatus, number][] = [
  ['pending', 0.3],
  ['accepted', 0.25],
  ['declined', 0.15],
  ['completed', 0.3],
];

/** mulberry32: a small, fast PRNG; the same seed gives the same network. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateDemoData(scale: SeedScale, seed = 42, now = new Date()) {
  if (scale.users < 2 || scale.organizations < 2)
    throw new Error('a network needs at least 2 users and 2 organizations');
  const random = randomSource(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

  const users: DemoUser[] = Array.from({ length: scale.users }, (_, i) => {
    const first = pick(FIRST);
    const last = pick(LAST);
    return {
      displayName: `${first} ${last}`,
      email: `${first}.${last}.${i}`.toLowerCase().replace(/[^a-z0-9.]/g, '') + `@${SEED_EMAIL_DOMAIN}`,
    };
  });
  // The first user is the demo login, named so.
  users[0] = { displayName: 'Demo User', email: `demo@${SEED_EMAIL_DOMAIN}` };

  const organizations: DemoOrganization[] = Array.from({ length: scale.organizations }, (_, i) => {
    const name = `${pick(ORG_WORDS)} ${pick(ORG_KINDS)} ${i + 1}`;
    const owner = i === 0 ? 0 : int(0, scale.users - 1);
    const members = new Map<number, MemberRole>([[owner, 'owner']]);
    const size = int(3, 15);
    while (members.size < Math.min(size, scale.users)) {
      const user = int(0, scale.users - 1);
      if (!members.has(user)) members.set(user, random() < 0.15 ? 'admin' : 'member');
    }
    return {
      name,
      description: `${name} refers clients and candidates across the network.`,
      members: [...members].map(([user, role]) => ({ user, role })),
    };
  });

  const yearMs = 365 * 86_400_000;
  const referrals: DemoReferral[] = Array.from({ length: scale.referrals }, () => {
    const from = int(0, scale.organizations - 1);
    let to = int(0, scale.organizations - 2);
    if (to >= from) to += 1;
    const createdAt = new Date(now.getTime() - Math.floor(random() * yearMs));
    const status = weighted(random(), STATUS_WEIGHTS);
    const updatedAt =
      status === 'pending'
        ? createdAt
        : new Date(Math.min(now.getTime(), createdAt.getTime() + int(1, 30) * 86_400_000));
    const first = pick(FIRST);
    const last = pick(LAST);
    return {
      from,
      to,
      createdBy: organizations[from]!.members[0]!.user,
      candidateName: `${first} ${last}`,
      candidateEmail:
        random() < 0.7
          ? `${first}.${last}`.toLowerCase().replace(/[^a-z0-9.]/g, '') + '@candidates.example.com'
          : null,
      note: pick(NOTES),
      status,
      createdAt,
      updatedAt,
    };
  });

  const invites: DemoInvite[] = Array.from({ length: scale.invites }, (_, i) => {
    const organization = int(0, scale.organizations - 1);
    return {
      organization,
      email: `invitee.${i}@${SEED_EMAIL_DOMAIN}`,
      role: random() < 0.2 ? 'admin' : 'member',
      invitedBy: organizations[organization]!.members[0]!.user,
      createdAt: new Date(now.getTime() - Math.floor(random() * 5 * 86_400_000)),
    };
  });

  return { users, organizations, referrals, invites };
}

function weighted<T>(roll: number, weights: [T, number][]): T {
  let sum = 0;
  for (const [value, weight] of weights) {
    sum += weight;
    if (roll < sum) return value;
  }
  return weights.at(-1)![0];
}
