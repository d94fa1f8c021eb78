// The traffic mix: virtual users that sign up, sign in (and fail to), read, write, refer candidates
// between their organizations, move referrals along, request password resets and read notifications.
import { randomBytes } from 'node:crypto';
import type { CallResult, Credentials, LoadClient } from './client.js';

interface User {
  id?: string;
  email: string;
  password: string;
  auth: Credentials;
  orgIds: string[];
  /** Refresh tokens of this user's API client, newest last (older ones are spent). */
  refreshTokens: string[];
}

interface Referral {
  id: string;
  /** Index of the user who owns the receiving organization. */
  receiver: User;
  status: 'pending' | 'accepted' | 'declined' | 'completed';
}

interface Page<T> {
  items?: T[];
  nextCursor?: string | null;
}

export interface ScenarioOptions {
  /** Marks this run's accounts and organizations, e.g. `k3x9`. */
  runId?: string;
  /** At most this many accounts are kept (new sign-ups replace the oldest beyond it). */
  maxUsers?: number;
}

type Action = { name: string; weight: number; run: () => Promise<unknown> };

/** Live-event sessions open at once (each holds a stream for a few seconds). */
const MAX_LISTENERS = 4;

export class Scenario {
  readonly runId: string;
  private readonly users: User[] = [];
  private readonly orgs: Array<{ id: string; owner: User }> = [];
  private readonly referrals: Referral[] = [];
  private readonly actions: Action[];
  private readonly totalWeight: number;
  private readonly maxUsers: number;
  private sequence = 0;
  private readonly listening = new Set<Promise<void>>();

  constructor(
    private readonly client: LoadClient,
    options: ScenarioOptions = {},
  ) {
    this.runId = options.runId ?? randomBytes(3).toString('hex');
    this.maxUsers = options.maxUsers ?? 200;
    this.actions = [
      { name: 'signup', weight: 3, run: () => this.signup() },
      { name: 'login', weight: 4, run: () => this.login(this.pickUser()) },
      { name: 'failed login', weight: 3, run: () => this.failedLogin() },
      { name: 'logout', weight: 1, run: () => this.logout() },
      { name: 'me', weight: 14, run: () => this.me() },
      { name: 'my orgs', weight: 7, run: () => this.myOrgs() },
      { name: 'org', weight: 12, run: () => this.org() },
      { name: 'popular org', weight: 2, run: () => this.popularOrg() },
      { name: 'user', weight: 9, run: () => this.user() },
      { name: 'referrals list', weight: 10, run: () => this.referralList() },
      { name: 'referral', weight: 3, run: () => this.referral() },
      { name: 'notifications', weight: 5, run: () => this.notifications() },
      { name: 'live events', weight: 2, run: () => this.liveEvents() },
      { name: 'create org', weight: 3, run: () => this.createOrg(this.pickUser()) },
      { name: 'edit org', weight: 1, run: () => this.editOrg() },
      { name: 'rename me', weight: 1, run: () => this.renameMe() },
      { name: 'invite', weight: 2, run: () => this.invite() },
      { name: 'refer', weight: 7, run: () => this.refer() },
      { name: 'move referral', weight: 6, run: () => this.moveReferral() },
      { name: 'password reset', weight: 2, run: () => this.passwordReset() },
      { name: 'api client', weight: 2, run: () => this.apiClient() },
      { name: 'sessions', weight: 1, run: () => this.sessions() },
    ];
    this.totalWeight = this.actions.reduce((sum, action) => sum + action.weight, 0);
  }

  get userCount(): number {
    return this.users.length;
  }

  /** Signs up `count` accounts, each with an organization, so that every action has something to act on. */
  async prepare(count: number): Promise<void> {
    for (let index = 0; index < count; index++) {
      const user = await this.signup();
      if (user?.id) await this.createOrg(user);
    }
  }

  /** One action of the mix, picked by weight. */
  async step(): Promise<void> {
    let ticket = Math.random() * this.totalWeight;
    for (const action of this.actions) {
      ticket -= action.weight;
      if (ticket <= 0) {
        await action.run();
        return;
      }
    }
  }

  // --- accounts -------------------------------------------------------------------------------

  private async signup(): Promise<User | undefined> {
    const n = ++this.sequence;
    const user: User = {
      email: `load-${this.runId}-${n}@load.example.com`,
      password: `load-password-${this.runId}`,
      auth: {},
      orgIds: [],
      refreshTokens: [],
    };
    const { status, body } = await this.client.call<{ user?: { id: string } }>({
      method: 'POST',
      path: '/auth/signup',
      route: '/auth/signup',
      body: { email: user.email, password: user.password, displayName: `Load user ${n}` },
      auth: user.auth,
    });
    if (status !== 201 || !body?.user) return undefined;
    user.id = body.user.id;
    this.users.push(user);
    if (this.users.length > this.maxUsers) this.users.splice(0, this.users.length - this.maxUsers);
    return user;
  }

  private async login(user: User | undefined): Promise<void> {
    if (!user) return;
    await this.client.call({
      method: 'POST',
      path: '/auth/login',
      route: '/auth/login',
      body: { email: user.email, password: user.password },
      auth: user.auth,
    });
  }

  private async failedLogin(): Promise<void> {
    // Mostly a wrong password for a real account, sometimes an address nobody has.
    const user = this.pickUser();
    const email = user && Math.random() < 0.7 ? user.email : `nobody-${this.runId}@load.example.com`;
    await this.client.call({
      method: 'POST',
      path: '/auth/login',
      route: '/auth/login',
      body: { email, password: 'not-the-password' },
      auth: {},
      expect: [401],
    });
  }

  private async logout(): Promise<void> {
    const user = this.pickSignedIn();
    if (!user) return;
    await this.client.call({ method: 'POST', path: '/auth/logout', route: '/auth/logout', auth: user.auth });
    user.auth.cookie = undefined;
  }

  private async passwordReset(): Promise<void> {
    const user = this.pickUser();
    const email = user && Math.random() < 0.8 ? user.email : `unknown-${this.runId}@load.example.com`;
    await this.client.call({
      method: 'POST',
      path: '/auth/password-reset/request',
      route: '/auth/password-reset/request',
      body: { email },
    });
  }

  /** An API client: credentials for tokens, a call with the access token, a rotation, rarely a reuse. */
  private async apiClient(): Promise<void> {
    const user = this.pickUser();
    if (!user) return;
    const spent = user.refreshTokens.at(-2);
    if (spent && Math.random() < 0.1) {
      // A stolen, already rotated refresh token presented again: the api revokes the family.
      await this.client.call({
        method: 'POST',
        path: '/auth/refresh',
        route: '/auth/refresh',
        body: { refreshToken: spent },
        expect: [401],
      });
      user.refreshTokens = [];
      return;
    }
    const latest = user.refreshTokens.at(-1);
    const result: CallResult<{ accessToken?: string; refreshToken?: string }> = latest
      ? await this.client.call({
          method: 'POST',
          path: '/auth/refresh',
          route: '/auth/refresh',
          body: { refreshToken: latest },
          expect: [401],
        })
      : await this.client.call({
          method: 'POST',
          path: '/auth/token',
          route: '/auth/token',
          body: { email: user.email, password: user.password },
        });
    if (!result.body?.refreshToken || !result.body.accessToken) {
      user.refreshTokens = [];
      return;
    }
    user.refreshTokens = [...user.refreshTokens.slice(-1), result.body.refreshToken];
    await this.client.call({
      method: 'GET',
      path: '/me',
      route: '/me',
      auth: { accessToken: result.body.accessToken },
    });
  }

  // --- reads ----------------------------------------------------------------------------------

  private async me(): Promise<void> {
    const user = await this.signedIn();
    if (user) await this.client.call({ method: 'GET', path: '/me', route: '/me', auth: user.auth });
  }

  private async sessions(): Promise<void> {
    const user = await this.signedIn();
    if (user)
      await this.client.call({ method: 'GET', path: '/me/sessions', route: '/me/sessions', auth: user.auth });
  }

  private async myOrgs(): Promise<void> {
    const user = await this.signedIn();
    if (!user) return;
    let cursor: string | null | undefined;
    // The first page, and sometimes the next ones.
    for (let page = 0; page < 3; page++) {
      const query = new URLSearchParams({ limit: String(1 + Math.floor(Math.random() * 5)) });
      if (cursor) query.set('cursor', cursor);
      const { body } = await this.client.call<Page<unknown>>({
        method: 'GET',
        path: `/orgs?${query}`,
        route: '/orgs',
        auth: user.auth,
      });
      cursor = body?.nextCursor;
      if (!cursor || Math.random() < 0.5) return;
    }
  }

  private async org(): Promise<void> {
    const user = await this.signedIn();
    const org = this.pick(this.orgs);
    if (user && org)
      await this.client.call({
        method: 'GET',
        path: `/orgs/${org.id}`,
        route: '/orgs/:orgId',
        auth: user.auth,
      });
  }

  /** Many people open one organization at once, often right after it changed (a shared link). */
  private async popularOrg(): Promise<void> {
    const org = this.pick(this.orgs);
    const viewers = this.users.filter((user) => user.auth.cookie).slice(0, 6);
    if (!org || viewers.length < 2 || !(await this.ensureSignedIn(org.owner))) return;
    if (Math.random() < 0.5)
      await this.client.call({
        method: 'PATCH',
        path: `/orgs/${org.id}`,
        route: '/orgs/:orgId',
        body: { description: `Announcement ${++this.sequence}` },
        auth: org.owner.auth,
      });
    await Promise.all(
      viewers.map((viewer) =>
        this.client.call({
          method: 'GET',
          path: `/orgs/${org.id}`,
          route: '/orgs/:orgId',
          auth: viewer.auth,
        }),
      ),
    );
  }

  private async user(): Promise<void> {
    const user = await this.signedIn();
    const other = this.pickUser();
    if (user && other?.id)
      await this.client.call({
        method: 'GET',
        path: `/users/${other.id}`,
        route: '/users/:id',
        auth: user.auth,
      });
  }

  private async referralList(): Promise<void> {
    const org = this.pick(this.orgs);
    if (!org || !(await this.ensureSignedIn(org.owner))) return;
    const statuses = ['', '', 'pending', 'accepted', 'declined', 'completed'];
    let cursor: string | null | undefined;
    for (let page = 0; page < 3; page++) {
      const query = new URLSearchParams({
        direction: Math.random() < 0.6 ? 'received' : 'sent',
        limit: String(2 + Math.floor(Math.random() * 8)),
      });
      const status = this.pick(statuses);
      if (status) query.set('status', status);
      if (cursor) query.set('cursor', cursor);
      const { body } = await this.client.call<Page<unknown>>({
        method: 'GET',
        path: `/orgs/${org.id}/referrals?${query}`,
        route: '/orgs/:orgId/referrals',
        auth: org.owner.auth,
      });
      cursor = body?.nextCursor;
      if (!cursor || Math.random() < 0.5) return;
    }
  }

  private async referral(): Promise<void> {
    const referral = this.pick(this.referrals);
    if (!referral || !(await this.ensureSignedIn(referral.receiver))) return;
    await this.client.call({
      method: 'GET',
      path: `/referrals/${referral.id}`,
      route: '/referrals/:id',
      auth: referral.receiver.auth,
    });
  }

  private async notifications(): Promise<void> {
    const user = await this.signedIn();
    if (!user) return;
    const { body } = await this.client.call<Page<{ id: string; read: boolean }>>({
      method: 'GET',
      path: '/me/notifications?limit=10',
      route: '/me/notifications',
      auth: user.auth,
    });
    const unread = body?.items?.find((item) => !item.read);
    if (unread && Math.random() < 0.5)
      await this.client.call({
        method: 'POST',
        path: `/me/notifications/${unread.id}/read`,
        route: '/me/notifications/:id/read',
        auth: user.auth,
        expect: [404],
      });
  }

  // --- writes ---------------------------------------------------------------------------------

  private async createOrg(user: User | undefined): Promise<void> {
    if (!user || !(await this.ensureSignedIn(user))) return;
    const { status, body } = await this.client.call<{ organization?: { id: string } }>({
      method: 'POST',
      path: '/orgs',
      route: '/orgs',
      body: { name: `Load org ${this.runId}-${++this.sequence}`, description: 'Created by pnpm load' },
      auth: user.auth,
    });
    if (status === 201 && body?.organization) {
      user.orgIds.push(body.organization.id);
      this.orgs.push({ id: body.organization.id, owner: user });
    }
  }

  private async editOrg(): Promise<void> {
    const org = this.pick(this.orgs);
    if (!org || !(await this.ensureSignedIn(org.owner))) return;
    await this.client.call({
      method: 'PATCH',
      path: `/orgs/${org.id}`,
      route: '/orgs/:orgId',
      body: { description: `Edited at ${new Date().toISOString()}` },
      auth: org.owner.auth,
    });
  }

  private async renameMe(): Promise<void> {
    const user = await this.signedIn();
    if (user)
      await this.client.call({
        method: 'PATCH',
        path: '/me',
        route: '/me',
        body: { displayName: `Load user ${++this.sequence}` },
        auth: user.auth,
      });
  }

  private async invite(): Promise<void> {
    const org = this.pick(this.orgs);
    if (!org || !(await this.ensureSignedIn(org.owner))) return;
    await this.client.call({
      method: 'POST',
      path: `/orgs/${org.id}/invites`,
      route: '/orgs/:orgId/invites',
      body: { email: `invitee-${this.runId}-${++this.sequence}@load.example.com`, role: 'member' },
      auth: org.owner.auth,
    });
  }

  /**
   * An organization owner with the app open: connects to GET /events, leaves while a mail they
   * asked for is sent, comes back with their cursor (the missed event is replayed), and refers a
   * candidate while connected (the referral's status change arrives live). It runs in the
   * background, a few at a time, so a stream held open does not take a slot of the request rate.
   */
  private liveEvents(): Promise<void> {
    if (this.listening.size >= MAX_LISTENERS) return Promise.resolve();
    const session: Promise<void> = this.liveSession()
      .catch(() => undefined)
      .finally(() => this.listening.delete(session));
    this.listening.add(session);
    return Promise.resolve();
  }

  /** Waits for the live sessions still open (at the end of a run). */
  async settle(): Promise<void> {
    await Promise.all(this.listening);
  }

  private async liveSession(): Promise<void> {
    const org = this.pick(this.orgs);
    if (!org || !(await this.ensureSignedIn(org.owner))) return;
    const { auth } = org.owner;
    const away = await this.client.listen({ path: '/events', route: '/events', auth, forMs: 500 });
    await this.client.call({ method: 'POST', path: '/me/verify-email', route: '/me/verify-email', auth });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await this.client.listen({
      path: '/events',
      route: '/events',
      auth,
      lastEventId: away.cursor,
      forMs: 3000,
      onReady: () => this.refer(org),
    });
  }

  private async refer(from = this.pick(this.orgs)): Promise<void> {
    const to = this.pick(this.orgs);
    if (!from || !to || from.id === to.id || !(await this.ensureSignedIn(from.owner))) return;
    const { status, body } = await this.client.call<{ referral?: { id: string } }>({
      method: 'POST',
      path: `/orgs/${from.id}/referrals`,
      route: '/orgs/:orgId/referrals',
      body: {
        toOrganizationId: to.id,
        candidateName: `Candidate ${++this.sequence}`,
        candidateEmail: `candidate-${this.runId}-${this.sequence}@load.example.com`,
        note: 'Referred by pnpm load',
      },
      auth: from.owner.auth,
    });
    if (status === 201 && body?.referral) {
      this.referrals.push({ id: body.referral.id, receiver: to.owner, status: 'pending' });
      if (this.referrals.length > 500) this.referrals.splice(0, this.referrals.length - 500);
    }
  }

  /** The receiving organization accepts or declines a pending referral, or completes an accepted one. */
  private async moveReferral(): Promise<void> {
    const open = this.referrals.filter((r) => r.status === 'pending' || r.status === 'accepted');
    const referral = this.pick(open);
    if (!referral || !(await this.ensureSignedIn(referral.receiver))) return;
    const action = referral.status === 'accepted' ? 'complete' : Math.random() < 0.75 ? 'accept' : 'decline';
    const { status, body } = await this.client.call<{ referral?: { status: Referral['status'] } }>({
      method: 'POST',
      path: `/referrals/${referral.id}/${action}`,
      route: `/referrals/:id/${action}`,
      auth: referral.receiver.auth,
      expect: [409],
    });
    if (status === 200 && body?.referral) referral.status = body.referral.status;
  }

  // --- helpers --------------------------------------------------------------------------------

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(Math.random() * items.length)];
  }

  private pickUser(): User | undefined {
    return this.pick(this.users);
  }

  private pickSignedIn(): User | undefined {
    return this.pick(this.users.filter((user) => user.auth.cookie));
  }

  /** A random account, signed in first when it is not. */
  private async signedIn(): Promise<User | undefined> {
    const user = this.pickUser();
    return user && (await this.ensureSignedIn(user)) ? user : undefined;
  }

  private async ensureSignedIn(user: User): Promise<boolean> {
    if (!user.auth.cookie) await this.login(user);
    return Boolean(user.auth.cookie);
  }
}
